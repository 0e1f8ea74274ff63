from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.errors import NotPermitted
from domain.purchasing.common import InvalidPurchasingInput, SupplyKind
from domain.purchasing.editing import (
    ErpStatusUpdate,
    NewPurchaseOrder,
    apply_erp_update,
    create_purchase_order,
)
from domain.purchasing.incoming import incoming
from domain.purchasing.transfers import (
    NewTransferOrder,
    ReceiveTransferOrder,
    ShipTransferOrder,
    TransferOrder,
    create_transfer_order,
    receive_transfer_order,
    ship_transfer_order,
)
from tests.support.purchasing import po_body, to_body

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)


def new_transfer(**overrides) -> TransferOrder:
    return create_transfer_order(NewTransferOrder.model_validate(to_body(**overrides)), "TO-1", T0)


def ship(order, lines=None, **extra) -> TransferOrder:
    body = {**extra, **({"lines": lines} if lines is not None else {})}
    return ship_transfer_order(order, ShipTransferOrder.model_validate(body), T1)


def receive(order, lines=None, receipt_id="RC-1"):
    body = {} if lines is None else {"lines": lines}
    return receive_transfer_order(
        order, ReceiveTransferOrder.model_validate(body), receipt_id, T1, TODAY
    )


def test_the_header_dates_are_the_lines_defaults():
    order = new_transfer()

    first, second = order.lines
    assert (first.ship_date, first.receive_date) == (date(2026, 11, 25), date(2026, 11, 28))
    assert (second.ship_date, second.receive_date) == (date(2026, 11, 25), date(2026, 11, 30))
    assert order.status == "Created"
    assert [line.status for line in order.lines] == ["None", "None"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"toWarehouse": "WH-2"}, "toWarehouse"),
        ({"receiveDate": "2026-11-20"}, "receiveDate"),
        ({"lines": [{"lineNumber": 1, "productId": "P-1", "quantity": "1",
                     "receiveDate": "2026-11-01"}]}, "lines.0.receiveDate"),
        ({"lines": [{"lineNumber": 1, "productId": "P-1", "quantity": "1"}] * 2},
         "lines.1.lineNumber"),
    ],
)  # fmt: skip
def test_bad_transfer_orders_are_refused_naming_the_field(overrides, field):
    with pytest.raises(InvalidPurchasingInput) as raised:
        new_transfer(**overrides)

    assert raised.value.field == field


def test_created_shipped_received_and_the_line_status_is_none_again():
    shipped = ship(new_transfer(), shipDate="2026-11-26")
    received, posted = receive(shipped)

    assert shipped.status == "Shipped"
    assert [(line.status, line.shipped_quantity) for line in shipped.lines] == [
        ("Shipped", 6), ("Shipped", 2)]  # fmt: skip
    assert shipped.lines[0].ship_date == date(2026, 11, 26)
    assert received.status == "Received"
    assert [(line.status, line.received_quantity) for line in received.lines] == [
        ("None", 6), ("None", 2)]  # fmt: skip
    assert [(line.warehouse, line.quantity) for line in posted.lines] == [("WH-1", 6), ("WH-1", 2)]
    assert (posted.receipt_id, posted.receipt_date, received.revision) == ("RC-1", TODAY, 3)


def test_partial_shipments_and_receipts_accumulate():
    order = ship(new_transfer(), [{"lineNumber": 1, "quantity": "4"}])
    order = ship(order, [{"lineNumber": 1, "quantity": "2"}])
    order, _ = receive(order, [{"lineNumber": 1, "quantity": "5"}])

    assert (order.lines[0].shipped_quantity, order.lines[0].received_quantity) == (6, 5)
    assert order.lines[1].status == "None"  # never shipped
    assert order.status == "Shipped"
    order, _ = receive(order, receipt_id="RC-2")
    assert order.status == "Received"


@pytest.mark.parametrize(
    ("lines", "field"),
    [([{"lineNumber": 1, "quantity": "7"}], "lines.0.quantity"),
     ([{"lineNumber": 5, "quantity": "1"}], "lines.0.lineNumber")],
)  # fmt: skip
def test_over_shipment_and_unknown_lines_are_refused(lines, field):
    with pytest.raises(InvalidPurchasingInput) as raised:
        ship(new_transfer(), lines)

    assert raised.value.field == field


def test_more_cannot_be_received_than_was_shipped():
    order = ship(new_transfer(), [{"lineNumber": 1, "quantity": "3"}])

    with pytest.raises(InvalidPurchasingInput) as raised:
        receive(order, [{"lineNumber": 1, "quantity": "4"}])

    assert raised.value.field == "lines.0.quantity"


def test_state_rules_of_shipping_and_receiving():
    with pytest.raises(NotPermitted, match="only shipped orders"):
        receive(new_transfer())
    received, _ = receive(ship(new_transfer()))
    with pytest.raises(NotPermitted):
        ship(received)
    with pytest.raises(NotPermitted):
        receive(received)
    with pytest.raises(NotPermitted, match="fully shipped"):
        ship(ship(new_transfer()))


def test_transfer_lines_are_incoming_at_the_destination_until_received():
    order = new_transfer()
    shipped = ship(order, [{"lineNumber": 1, "quantity": "6"}])
    part, _ = receive(shipped, [{"lineNumber": 1, "quantity": "2"}])

    assert [(s.kind, s.warehouse, s.quantity_remaining, s.expected_date)
            for s in incoming("P-1", [part])] == [
        (SupplyKind.TRANSFER_ORDER, "WH-1", Decimal(4), date(2026, 11, 28))]  # fmt: skip
    done, _ = receive(part)
    assert incoming("P-1", [done]) == []
    assert incoming("P-3", [done]) == []  # never shipped: no longer expected once received


def test_the_incoming_view_merges_purchase_and_transfer_orders_soonest_first():
    purchase = create_purchase_order(NewPurchaseOrder.model_validate(po_body()), "PO-1", T0)
    purchase = apply_erp_update(purchase, ErpStatusUpdate.model_validate(
        {"status": "backorder", "approvalStatus": "confirmed",
         "lines": [{"lineNumber": 1, "confirmedDate": "2026-11-27"}]}), T1)  # fmt: skip
    cancelled = create_purchase_order(NewPurchaseOrder.model_validate(po_body()), "PO-2", T0)
    cancelled = apply_erp_update(cancelled, ErpStatusUpdate.model_validate(
        {"status": "canceled", "approvalStatus": "draft"}), T1)  # fmt: skip
    undated = create_purchase_order(
        NewPurchaseOrder.model_validate(po_body(requestedDeliveryDate=None)), "PO-3", T0
    )

    supplies = incoming("P-1", [undated, cancelled, new_transfer(), purchase])

    assert [(s.document_id, s.quantity_remaining, s.expected_date) for s in supplies] == [
        ("PO-1", 10, date(2026, 11, 27)), ("TO-1", 6, date(2026, 11, 28)), ("PO-3", 10, None),
    ]  # fmt: skip
