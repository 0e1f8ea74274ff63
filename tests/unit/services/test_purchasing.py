from datetime import date
from decimal import Decimal

import pytest

from adapters.storage.incoming import INCOMING_TABLE
from domain.purchasing.common import SupplyKind
from domain.purchasing.editing import ErpStatusUpdate, NewPurchaseOrder, PurchaseOrderDefinition
from domain.purchasing.receipts import ProductReceiptInput
from domain.purchasing.transfers import NewTransferOrder, ReceiveTransferOrder, ShipTransferOrder
from services.errors import ConcurrencyConflict, InvalidInput, NotAllowed, NotFound
from tests.support.purchasing import CONFIRMED, make_purchasing, po_body, to_body


@pytest.fixture
def hub():
    return make_purchasing()


def create_po(hub, **overrides):
    order, created = hub.purchasing.create_purchase_order(
        NewPurchaseOrder.model_validate(po_body(**overrides))
    )
    assert created
    return order.purchase_order_id


def confirm(hub, order_id, **update):
    body = {**CONFIRMED, **update}
    return hub.purchasing.mirror_erp_status(order_id, ErpStatusUpdate.model_validate(body))


def receive(hub, order_id, *lines, receipt_id="R-1"):
    body = [{"lineNumber": n, "quantity": q, "closeLine": c} for n, q, c in lines]
    receipt = ProductReceiptInput.model_validate({"receiptId": receipt_id, "lines": body})
    return hub.purchasing.post_receipt(order_id, receipt)


def remaining(hub, product_id):
    return sum((s.quantity_remaining for s in hub.purchasing.incoming(product_id)), Decimal(0))


def index_rows(hub, product_id):
    return list(hub.tables.table(INCOMING_TABLE).query(product_id))


# The acceptance case


def test_a_receipt_of_7_of_10_closing_the_line_posts_the_journal_row_and_leaves_0_incoming(hub):
    order_id = create_po(hub)
    confirm(hub, order_id)
    assert remaining(hub, "P-1") == 10

    posted, created = receive(hub, order_id, (1, "7", True))

    assert created
    [entry] = hub.purchasing.journal.entries("P-1")
    assert (entry.quantity, entry.reason, entry.warehouse) == (3, "under-delivery", "WH-1")
    assert (entry.purchase_order_id, entry.line_number, entry.receipt_id) == (order_id, 1, "R-1")
    assert posted.journal == [entry]
    line = hub.purchasing.purchase_order(order_id).lines[0]
    assert (line.received_quantity, line.remaining_quantity) == (7, 0)
    assert hub.purchasing.incoming("P-1") == []
    assert remaining(hub, "P-1") == 0
    assert index_rows(hub, "P-1") == []
    assert hub.listener.calls == [("WH-1", "P-1", Decimal(7), f"PO/{order_id}/R-1/1")]


# Purchase orders


def test_receipts_accumulate_and_the_incoming_view_follows(hub):
    order_id = create_po(hub)
    confirm(hub, order_id)

    receive(hub, order_id, (1, "4", False))
    assert remaining(hub, "P-1") == 6
    receive(hub, order_id, (1, "6", False), (2, "4", False), receipt_id="R-2")

    order = hub.purchasing.purchase_order(order_id)
    assert (order.status, order.stage) == ("received", "received")
    assert remaining(hub, "P-1") == remaining(hub, "P-2") == 0
    assert [r.receipt_id for r in hub.purchasing.purchase_order_receipts(order_id)] == [
        "R-1", "R-2"]  # fmt: skip
    assert len(hub.listener.calls) == 3


def test_over_receipt_is_refused_naming_the_field(hub):
    order_id = create_po(hub)
    confirm(hub, order_id)

    with pytest.raises(InvalidInput) as raised:
        receive(hub, order_id, (1, "11", False))

    assert raised.value.field == "lines.0.quantity"
    assert hub.purchasing.purchase_order_receipts(order_id) == []
    assert hub.listener.calls == []


def test_a_receipt_sent_again_replays_its_effects_and_changes_nothing(hub):
    order_id = create_po(hub)
    confirm(hub, order_id)
    first, _ = receive(hub, order_id, (1, "7", True))

    again, created = receive(hub, order_id, (1, "7", True))

    assert (again, created) == (first, False)
    assert hub.purchasing.purchase_order(order_id).lines[0].received_quantity == 7
    assert len(hub.purchasing.journal.entries("P-1")) == 1
    assert [c[3] for c in hub.listener.calls] == [f"PO/{order_id}/R-1/1"] * 2
    with pytest.raises(NotAllowed) as raised:
        receive(hub, order_id, (1, "2", False))
    assert raised.value.field == "receiptId"


def test_a_crash_after_the_receipt_was_saved_is_finished_by_the_retry(hub):
    order_id = create_po(hub)
    confirm(hub, order_id)
    calls = hub.listener.calls

    def crash(*args):
        raise RuntimeError("process died")

    hub.purchasing.listener = type("Crashing", (), {"received": staticmethod(crash)})()
    with pytest.raises(RuntimeError):
        receive(hub, order_id, (1, "7", True))
    hub.purchasing.listener = hub.listener

    receive(hub, order_id, (1, "7", True))

    assert calls == [("WH-1", "P-1", Decimal(7), f"PO/{order_id}/R-1/1")]
    assert len(hub.purchasing.journal.entries("P-1")) == 1


def test_a_receipt_racing_another_write_reloads_and_applies_to_the_new_version(hub):
    order_id = create_po(hub)
    confirm(hub, order_id)
    repository = hub.purchasing.purchase_orders
    save = repository.save

    def save_after_a_rival(document, version, receipt=None):
        repository.save = save
        confirm(hub, order_id, lines=[{"lineNumber": 1, "unitPrice": "3"}])
        save(document, version, receipt)

    repository.save = save_after_a_rival
    receive(hub, order_id, (1, "5", False))

    line = hub.purchasing.purchase_order(order_id).lines[0]
    assert (line.received_quantity, line.unit_price) == (5, Decimal(3))


def test_a_receipt_that_keeps_losing_races_gives_up_with_a_conflict(hub):
    order_id = create_po(hub)
    confirm(hub, order_id)
    repository = hub.purchasing.purchase_orders
    save = repository.save

    def always_behind(document, version, receipt=None):
        rival = repository.get(order_id)
        save(rival.document, rival.version)  # another writer gets in first, every time
        save(document, version, receipt)

    repository.save = always_behind
    with pytest.raises(ConcurrencyConflict):
        receive(hub, order_id, (1, "5", False))


def test_drafts_cannot_be_edited_or_received(hub):
    order_id = create_po(hub)
    definition = PurchaseOrderDefinition.model_validate(po_body())

    with pytest.raises(NotAllowed) as edit:
        hub.purchasing.edit_purchase_order(order_id, definition)
    with pytest.raises(NotAllowed) as receipt:
        receive(hub, order_id, (1, "1", False))

    assert (edit.value.field, receipt.value.field) == ("approvalStatus", "status")
    assert "not confirmed" in str(edit.value)


def test_edits_move_the_incoming_view(hub):
    order_id = create_po(hub)
    confirm(hub, order_id)
    lines = [{"lineNumber": 1, "productId": "P-1", "quantity": "12", "expectedDate": "2026-12-09"}]

    hub.purchasing.edit_purchase_order(
        order_id, PurchaseOrderDefinition.model_validate(po_body(lines=lines))
    )

    [supply] = hub.purchasing.incoming("P-1")
    assert (supply.quantity_remaining, supply.expected_date) == (12, date(2026, 12, 9))
    assert hub.purchasing.incoming("P-2") == []
    assert index_rows(hub, "P-2") == []


def test_a_cancelled_order_leaves_the_index(hub):
    order_id = create_po(hub)
    assert len(index_rows(hub, "P-1")) == 1

    hub.purchasing.mirror_erp_status(
        order_id, ErpStatusUpdate.model_validate({"status": "canceled", "approvalStatus": "draft"})
    )

    assert index_rows(hub, "P-1") == index_rows(hub, "P-2") == []
    assert hub.purchasing.incoming("P-1") == []


def test_a_row_left_behind_by_a_crash_is_never_shown(hub):
    order_id = create_po(hub)
    confirm(hub, order_id)
    hub.purchasing.index.remove = lambda keys, revision: None  # the process dies before it

    receive(hub, order_id, (1, "7", True))

    assert len(index_rows(hub, "P-1")) == 1
    assert hub.purchasing.incoming("P-1") == []


def test_creating_with_an_id_is_idempotent(hub):
    body = NewPurchaseOrder.model_validate(po_body(purchaseOrderId="PO-7"))
    first, created = hub.purchasing.create_purchase_order(body)
    hub.clock.advance(60)

    again, created_again = hub.purchasing.create_purchase_order(body)

    assert (created, created_again, again) == (True, False, first)
    other = NewPurchaseOrder.model_validate(po_body(purchaseOrderId="PO-7", vendorId="V-2"))
    with pytest.raises(NotAllowed) as raised:
        hub.purchasing.create_purchase_order(other)
    assert raised.value.field == "purchaseOrderId"


def test_unknown_documents_are_not_found(hub):
    with pytest.raises(NotFound):
        hub.purchasing.purchase_order("nope")
    with pytest.raises(NotFound):
        receive(hub, "nope", (1, "1", False))
    with pytest.raises(NotFound):
        hub.purchasing.ship_transfer_order("nope", ShipTransferOrder())


def test_lists_page_through_purchase_orders(hub):
    ids = [create_po(hub) for _ in range(3)]

    first = hub.purchasing.list_purchase_orders(2)
    second = hub.purchasing.list_purchase_orders(2, first.continuation)

    assert [o.purchase_order_id for o in first.items + second.items] == ids
    assert second.continuation is None


# Transfer orders


def test_a_transfer_order_is_incoming_until_received_and_tells_the_listener(hub):
    order, _ = hub.purchasing.create_transfer_order(NewTransferOrder.model_validate(to_body()))
    order_id = order.transfer_order_id
    create_po(hub)

    supplies = hub.purchasing.incoming("P-1")
    assert [(s.kind, s.quantity_remaining) for s in supplies] == [
        (SupplyKind.TRANSFER_ORDER, 6), (SupplyKind.PURCHASE_ORDER, 10)]  # fmt: skip

    hub.purchasing.ship_transfer_order(order_id, ShipTransferOrder())
    receipt = ReceiveTransferOrder.model_validate({"receiptId": "RC-1"})
    received, posted, created = hub.purchasing.receive_transfer_order(order_id, receipt)

    assert (received.status, created) == ("Received", True)
    assert hub.listener.calls == [
        ("WH-1", "P-1", Decimal(6), f"TO/{order_id}/RC-1/1"),
        ("WH-1", "P-3", Decimal(2), f"TO/{order_id}/RC-1/2"),
    ]
    assert [s.kind for s in hub.purchasing.incoming("P-1")] == [SupplyKind.PURCHASE_ORDER]
    assert index_rows(hub, "P-3") == []
    _, again, created_again = hub.purchasing.receive_transfer_order(order_id, receipt)
    assert (again, created_again) == (posted, False)
    assert hub.purchasing.transfer_order_receipts(order_id) == [posted]


def test_transfer_rules_surface_as_service_errors(hub):
    order, _ = hub.purchasing.create_transfer_order(NewTransferOrder.model_validate(to_body()))

    with pytest.raises(NotAllowed):
        hub.purchasing.receive_transfer_order(order.transfer_order_id, ReceiveTransferOrder())
    with pytest.raises(InvalidInput) as raised:
        hub.purchasing.ship_transfer_order(
            order.transfer_order_id,
            ShipTransferOrder.model_validate({"lines": [{"lineNumber": 2, "quantity": "3"}]}),
        )
    assert raised.value.field == "lines.0.quantity"
    with pytest.raises(InvalidInput) as same:
        hub.purchasing.create_transfer_order(
            NewTransferOrder.model_validate(to_body(toWarehouse="WH-2"))
        )
    assert same.value.field == "toWarehouse"
