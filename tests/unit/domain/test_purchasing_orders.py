from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.errors import NotPermitted
from domain.purchasing.common import InvalidPurchasingInput
from domain.purchasing.editing import (
    ErpStatusUpdate,
    NewPurchaseOrder,
    PurchaseOrderDefinition,
    apply_erp_update,
    create_purchase_order,
    edit_purchase_order,
)
from domain.purchasing.orders import (
    TRANSITIONS,
    ApprovalStatus,
    PurchaseOrder,
    PurchaseOrderStatus,
    Stage,
    stage_of,
)
from domain.purchasing.receipts import ProductReceiptInput, post_receipt
from tests.support.purchasing import CONFIRMED, po_body

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def new_order(**overrides) -> PurchaseOrder:
    return create_purchase_order(NewPurchaseOrder.model_validate(po_body(**overrides)), "PO-1", T0)


def mirrored(order: PurchaseOrder, **update) -> PurchaseOrder:
    return apply_erp_update(order, ErpStatusUpdate.model_validate(update), T1)


def confirmed() -> PurchaseOrder:
    return mirrored(new_order(), **CONFIRMED)


def definition(**overrides) -> PurchaseOrderDefinition:
    return PurchaseOrderDefinition.model_validate(po_body(**overrides))


# Creating


def test_a_new_order_is_a_draft_whose_lines_default_to_the_header():
    order = new_order()

    assert (order.status, order.approval_status, order.stage) == ("none", "draft", Stage.DRAFT)
    first, second = order.lines
    assert (first.warehouse, first.expected_date) == ("WH-1", date(2026, 12, 1))
    assert (second.warehouse, second.expected_date) == ("WH-2", date(2026, 12, 5))
    assert first.remaining_quantity == Decimal(10)
    assert first.unit_price is None
    assert order.revision == 1


def test_a_line_number_given_twice_is_refused_naming_the_second():
    lines = [{"lineNumber": 1, "productId": "P-1", "quantity": "1"}] * 2

    with pytest.raises(InvalidPurchasingInput) as raised:
        new_order(lines=lines)

    assert raised.value.field == "lines.1.lineNumber"


# The stage machine


@pytest.mark.parametrize(
    ("status", "approval", "stage"),
    [
        ("none", "draft", Stage.DRAFT), ("backorder", "inReview", Stage.DRAFT),
        ("none", "rejected", Stage.DRAFT), ("backorder", "approved", Stage.DRAFT),
        ("none", "inExternalReview", Stage.DRAFT), ("none", "confirmed", Stage.CONFIRMED),
        ("backorder", "confirmed", Stage.CONFIRMED), ("received", "confirmed", Stage.RECEIVED),
        ("received", "finalized", Stage.RECEIVED), ("invoiced", "finalized", Stage.INVOICED),
        ("canceled", "confirmed", Stage.CANCELLED), ("canceled", "draft", Stage.CANCELLED),
    ],
)  # fmt: skip
def test_the_two_erp_statuses_fold_into_one_stage(status, approval, stage):
    assert stage_of(PurchaseOrderStatus(status), ApprovalStatus(approval)) == stage


@pytest.mark.parametrize("status", ["none", "backorder"])
def test_finalized_approval_with_an_open_status_is_a_contradiction(status):
    with pytest.raises(InvalidPurchasingInput) as raised:
        stage_of(PurchaseOrderStatus(status), ApprovalStatus.FINALIZED)

    assert raised.value.field == "approvalStatus"


_PAIRS = {
    Stage.DRAFT: ("none", "draft"), Stage.CONFIRMED: ("backorder", "confirmed"),
    Stage.RECEIVED: ("received", "confirmed"), Stage.INVOICED: ("invoiced", "finalized"),
    Stage.CANCELLED: ("canceled", "confirmed"),
}  # fmt: skip


def order_at(stage: Stage) -> PurchaseOrder:
    status, approval = _PAIRS[stage]
    update = {"status": PurchaseOrderStatus(status), "approval_status": ApprovalStatus(approval)}
    return new_order().model_copy(update=update)


@pytest.mark.parametrize("current", list(Stage))
@pytest.mark.parametrize("target", list(Stage))
def test_erp_updates_follow_the_transition_table(current, target):
    status, approval = _PAIRS[target]
    allowed = target in TRANSITIONS[current]

    if allowed:
        assert mirrored(order_at(current), status=status, approvalStatus=approval).stage == target
    else:
        with pytest.raises(NotPermitted) as raised:
            mirrored(order_at(current), status=status, approvalStatus=approval)
        assert raised.value.field == "status"


@pytest.mark.parametrize(
    ("current", "forward"),
    [(Stage.RECEIVED, Stage.CONFIRMED), (Stage.INVOICED, Stage.RECEIVED),
     (Stage.CANCELLED, Stage.DRAFT), (Stage.INVOICED, Stage.CANCELLED)],
)  # fmt: skip
def test_finalized_orders_never_go_back(current, forward):
    assert forward not in TRANSITIONS[current]


def test_the_erp_sets_prices_discounts_net_amounts_and_the_po_number():
    update = {
        **CONFIRMED, "name": "00000123", "confirmedDeliveryDate": "2026-12-03",
        "lines": [{"lineNumber": 1, "unitPrice": "2.50", "discountAmount": "1.00",
                   "discountPercentage": "4", "netAmount": "24.00",
                   "confirmedDate": "2026-12-02"}],
    }  # fmt: skip

    order = mirrored(new_order(), **update)

    line = order.lines[0]
    assert (line.unit_price, line.discount_amount, line.net_amount) == (
        Decimal("2.50"), Decimal("1.00"), Decimal("24.00"))  # fmt: skip
    assert (line.discount_percentage, line.confirmed_date) == (Decimal(4), date(2026, 12, 2))
    assert (order.name, order.confirmed_delivery_date) == ("00000123", date(2026, 12, 3))
    assert order.lines[1].unit_price is None
    assert (order.revision, order.updated_at) == (2, T1)


def test_an_erp_update_for_an_unknown_line_is_refused_naming_it():
    with pytest.raises(InvalidPurchasingInput) as raised:
        mirrored(new_order(), **CONFIRMED, lines=[{"lineNumber": 9, "unitPrice": "1"}])

    assert raised.value.field == "lines.0.lineNumber"


def test_cancelling_closes_the_open_lines():
    order = mirrored(confirmed(), status="canceled", approvalStatus="confirmed")

    assert [line.status for line in order.lines] == ["canceled", "canceled"]


def test_an_order_with_receipts_cannot_be_cancelled():
    receipt = ProductReceiptInput.model_validate(
        {"receiptId": "R-1", "lines": [{"lineNumber": 1, "quantity": "1"}]}
    )
    order, _ = post_receipt(confirmed(), receipt, T1, date(2026, 11, 24))

    with pytest.raises(NotPermitted):
        mirrored(order, status="canceled", approvalStatus="confirmed")


# Our edit API


@pytest.mark.parametrize(
    ("stage", "field"),
    [(Stage.DRAFT, "approvalStatus"), (Stage.RECEIVED, "status"), (Stage.INVOICED, "status"),
     (Stage.CANCELLED, "status")],
)  # fmt: skip
def test_edits_are_refused_unless_confirmed_and_not_finalized(stage, field):
    with pytest.raises(NotPermitted) as raised:
        edit_purchase_order(order_at(stage), definition(), T1)

    assert raised.value.field == field
    reason = "not confirmed by the ERP yet" if stage == Stage.DRAFT else "finalized"
    assert reason in str(raised.value)


def test_a_confirmed_order_takes_edits_and_keeps_what_the_erp_set():
    order = mirrored(new_order(), **CONFIRMED, lines=[{"lineNumber": 1, "unitPrice": "2.5"}])
    lines = [{"lineNumber": 1, "productId": "P-1", "quantity": "12", "description": "More"},
             {"lineNumber": 3, "productId": "P-9", "quantity": "1"}]  # fmt: skip

    edited = edit_purchase_order(order, definition(vendorReference="REF-7", lines=lines), T1)

    by_number = {line.line_number: line for line in edited.lines}
    assert (by_number[1].quantity, by_number[1].unit_price) == (Decimal(12), Decimal("2.5"))
    assert [n for n, line in by_number.items() if line.deleted] == [2]
    assert by_number[3].warehouse == "WH-1"
    assert edited.vendor_reference == "REF-7"
    assert edited.stage == Stage.CONFIRMED


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"unitPrice": "1"}, "lines.0.unitPrice"),
        ({"discountAmount": "1"}, "lines.0.discountAmount"),
        ({"discountPercentage": "5"}, "lines.0.discountPercentage"),
        ({"netAmount": "10"}, "lines.0.netAmount"), ({"netAmount": None}, "lines.0.netAmount"),
        ({"confirmedDate": "2026-12-01"}, "lines.0.confirmedDate"),
        ({"receivedQuantity": "1"}, "lines.0.receivedQuantity"),
        ({"remainingQuantity": "1"}, "lines.0.remainingQuantity"),
        ({"status": "received"}, "lines.0.status"),
    ],
)  # fmt: skip
def test_erp_owned_and_derived_line_fields_are_refused_naming_the_field(line, field):
    lines = [{"lineNumber": 1, "productId": "P-1", "quantity": "10", **line}]

    for model in (PurchaseOrderDefinition, NewPurchaseOrder):
        with pytest.raises(ValidationError) as raised:
            model.model_validate(po_body(lines=lines))
        error = raised.value.errors()[0]
        assert ".".join(str(p) for p in error["loc"]) == field
        assert "read-only" in error["msg"]


@pytest.mark.parametrize("field", ["status", "approvalStatus", "confirmedDeliveryDate"])
def test_erp_owned_header_fields_are_refused_naming_the_field(field):
    with pytest.raises(ValidationError) as raised:
        PurchaseOrderDefinition.model_validate(po_body(**{field: "x"}))

    assert raised.value.errors()[0]["loc"] == (field,)
    assert "owned by the ERP" in raised.value.errors()[0]["msg"]


def test_the_request_schema_does_not_offer_the_read_only_fields():
    properties = PurchaseOrderDefinition.model_json_schema()["$defs"]["PurchaseOrderLineInput"][
        "properties"
    ]

    assert {"unitPrice", "netAmount", "receivedQuantity"}.isdisjoint(properties)
    assert "quantity" in properties


def received(order: PurchaseOrder, quantity: str, close: bool = False) -> PurchaseOrder:
    receipt = ProductReceiptInput.model_validate(
        {"receiptId": "R-1", "lines": [{"lineNumber": 1, "quantity": quantity, "closeLine": close}]}
    )
    return post_receipt(order, receipt, T1, date(2026, 11, 24))[0]


@pytest.mark.parametrize(
    ("lines", "error", "field"),
    [
        ([{"lineNumber": 1, "productId": "P-1", "quantity": "2"}], InvalidPurchasingInput,
         "lines.0.quantity"),
        ([{"lineNumber": 1, "productId": "P-7", "quantity": "10"}], InvalidPurchasingInput,
         "lines.0.productId"),
        ([{"lineNumber": 2, "productId": "P-2", "quantity": "4"}], NotPermitted, "lines"),
    ],
)  # fmt: skip
def test_lines_with_receipts_keep_their_product_quantity_and_place(lines, error, field):
    order = received(confirmed(), "3")

    with pytest.raises(error) as raised:
        edit_purchase_order(order, definition(lines=lines), T1)

    assert raised.value.field == field


def test_a_deleted_line_number_is_never_reused():
    order = edit_purchase_order(confirmed(), definition(lines=po_body()["lines"][:1]), T1)
    again = po_body()["lines"]

    with pytest.raises(InvalidPurchasingInput) as raised:
        edit_purchase_order(order, definition(lines=again), T1)

    assert raised.value.field == "lines.1.lineNumber"


def test_the_company_cannot_change():
    with pytest.raises(NotPermitted) as raised:
        edit_purchase_order(confirmed(), definition(company="frrt"), T1)

    assert raised.value.field == "company"
