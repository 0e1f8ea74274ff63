from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.errors import NotPermitted
from domain.purchasing.common import InvalidPurchasingInput, SupplyKind
from domain.purchasing.editing import (
    ErpStatusUpdate,
    NewPurchaseOrder,
    apply_erp_update,
    create_purchase_order,
)
from domain.purchasing.incoming import incoming
from domain.purchasing.orders import ApprovalStatus, PurchaseOrder, PurchaseOrderStatus, Stage
from domain.purchasing.receipts import (
    ProductReceiptInput,
    post_receipt,
    receipt_reference,
    same_receipt,
)
from tests.support.purchasing import CONFIRMED, po_body

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


def confirmed() -> PurchaseOrder:
    order = create_purchase_order(NewPurchaseOrder.model_validate(po_body()), "PO-1", T0)
    return apply_erp_update(order, ErpStatusUpdate.model_validate(CONFIRMED), T0)


def receipt(*lines, receipt_id="R-1", **extra) -> ProductReceiptInput:
    body = [{"lineNumber": n, "quantity": q, "closeLine": c} for n, q, c in lines]
    return ProductReceiptInput.model_validate({"receiptId": receipt_id, "lines": body, **extra})


def test_received_quantities_accumulate_until_the_line_is_received():
    order, first = post_receipt(confirmed(), receipt((1, "4", False)), T1, TODAY)
    order, second = post_receipt(order, receipt((1, "6", False), receipt_id="R-2"), T1, TODAY)

    line = order.lines[0]
    assert (first.lines[0].received_quantity, first.lines[0].remaining_quantity) == (4, 6)
    assert (line.received_quantity, line.remaining_quantity, line.status) == (10, 0, "received")
    assert second.lines[0].remaining_quantity == 0
    assert order.status == "backorder"  # line 2 is still open
    assert order.stage == Stage.CONFIRMED


def test_a_partial_receipt_makes_the_order_an_open_order():
    fresh = confirmed().model_copy(update={"status": PurchaseOrderStatus.NONE})

    order, posted = post_receipt(fresh, receipt((1, "4", False)), T1, TODAY)

    assert (order.status, order.lines[0].status) == ("backorder", "backorder")
    assert (posted.receipt_date, posted.posted_at, posted.journal) == (TODAY, T1, [])


def test_receiving_every_line_makes_the_order_received_and_final():
    order, _ = post_receipt(confirmed(), receipt((1, "10", False), (2, "4", False)), T1, TODAY)

    assert (order.status, order.stage) == ("received", Stage.RECEIVED)


@pytest.mark.parametrize(
    ("lines", "field", "words"),
    [
        ([(1, "10.5", False)], "lines.0.quantity", "over-receipt"),
        ([(2, "1", False), (1, "11", False)], "lines.1.quantity", "over-receipt"),
        ([(1, "0", False)], "lines.0.quantity", "positive"),
        ([(7, "1", False)], "lines.0.lineNumber", "no line 7"),
        ([(1, "1", False), (1, "1", False)], "lines.1.lineNumber", "more than once"),
    ],
)  # fmt: skip
def test_bad_receipts_are_refused_naming_the_field(lines, field, words):
    with pytest.raises(InvalidPurchasingInput) as raised:
        post_receipt(confirmed(), receipt(*lines), T1, TODAY)

    assert raised.value.field == field
    assert words in str(raised.value)


def test_over_receipt_counts_what_was_already_received():
    order, _ = post_receipt(confirmed(), receipt((1, "8", False)), T1, TODAY)

    with pytest.raises(InvalidPurchasingInput, match="has 2 remaining"):
        post_receipt(order, receipt((1, "3", False), receipt_id="R-2"), T1, TODAY)


def test_a_closed_line_takes_nothing_more():
    order, _ = post_receipt(confirmed(), receipt((1, "7", True)), T1, TODAY)

    with pytest.raises(InvalidPurchasingInput) as raised:
        post_receipt(order, receipt((1, "1", False), receipt_id="R-2"), T1, TODAY)

    assert raised.value.field == "lines.0.quantity"


def test_negative_quantities_are_refused_by_the_request_model():
    with pytest.raises(ValidationError) as raised:
        receipt((1, "-1", False))

    assert raised.value.errors()[0]["loc"] == ("lines", 0, "quantity")


def test_closing_a_line_short_posts_an_under_delivery_journal_row_and_leaves_nothing_on_order():
    order, posted = post_receipt(confirmed(), receipt((1, "7", True)), T1, TODAY)

    line = order.lines[0]
    assert (line.received_quantity, line.written_off_quantity) == (7, 3)
    assert (line.remaining_quantity, line.status) == (0, "received")
    [entry] = posted.journal
    assert entry.model_dump() == {
        "journal_id": "PO/PO-1/R-1/1", "product_id": "P-1", "warehouse": "WH-1",
        "quantity": Decimal(3), "reason": "under-delivery", "purchase_order_id": "PO-1",
        "line_number": 1, "receipt_id": "R-1", "posted_at": T1,
    }  # fmt: skip
    assert [s.product_id for s in incoming("P-1", [order])] == []
    assert [s.product_id for s in incoming("P-2", [order])] == ["P-2"]


def test_closing_a_fully_received_line_writes_nothing_off():
    _, posted = post_receipt(confirmed(), receipt((1, "10", True)), T1, TODAY)

    assert posted.journal == []


def test_closing_a_line_with_nothing_received_cancels_it():
    order, posted = post_receipt(confirmed(), receipt((2, "0", True)), T1, TODAY)

    assert (order.lines[1].status, order.lines[1].written_off_quantity) == ("canceled", 4)
    assert posted.journal[0].quantity == 4


@pytest.mark.parametrize(
    ("status", "approval"),
    [("none", "draft"), ("received", "confirmed"), ("invoiced", "finalized"),
     ("canceled", "confirmed")],
)  # fmt: skip
def test_only_confirmed_orders_take_receipts(status, approval):
    update = {"status": PurchaseOrderStatus(status), "approval_status": ApprovalStatus(approval)}
    order = confirmed().model_copy(update=update)

    with pytest.raises(NotPermitted) as raised:
        post_receipt(order, receipt((1, "1", False)), T1, TODAY)

    assert raised.value.field == "status"


@pytest.mark.parametrize(
    ("again", "same"),
    [
        ({"lines": [(1, "7", True)]}, True), ({"lines": [(1, "7", False)]}, False),
        ({"lines": [(1, "6", True)]}, False),
        ({"lines": [(1, "7", True)], "receiptDate": "2026-11-24"}, True),
        ({"lines": [(1, "7", True)], "receiptDate": "2026-11-20"}, False),
    ],
)  # fmt: skip
def test_a_receipt_sent_again_is_recognised(again, same):
    _, posted = post_receipt(confirmed(), receipt((1, "7", True)), T1, TODAY)
    extra = {k: v for k, v in again.items() if k != "lines"}

    assert same_receipt(posted, receipt(*again["lines"], **extra)) is same


def test_references_are_unique_per_receipt_line():
    assert receipt_reference("PO", "PO-1", "R-1", 2) == "PO/PO-1/R-1/2"


def test_incoming_lists_open_purchase_order_lines_with_their_dates():
    order = confirmed()

    [supply] = incoming("P-2", [order])

    assert supply.model_dump() == {
        "kind": SupplyKind.PURCHASE_ORDER, "document_id": "PO-1", "line_number": 2,
        "product_id": "P-2", "warehouse": "WH-2", "quantity_remaining": Decimal(4),
        "expected_date": date(2026, 12, 5),
    }  # fmt: skip
