"""Creating and editing purchase orders (our API) and mirroring the ERP's status updates.

Our API may create a purchase order (draft; the ERP then picks it up) and edit it only while it
is confirmed. Prices, discounts, net amounts and confirmed dates are the ERP's: our requests
that carry them are refused naming the field; only `apply_erp_update` sets them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from domain.errors import NotPermitted
from domain.purchasing.common import (
    MAX_LINES,
    Derived,
    DocumentId,
    ErpOwned,
    InputModel,
    InvalidPurchasingInput,
    LineNumber,
    ProductId,
    Quantity,
    WarehouseId,
    check_line_numbers,
    unknown_line,
)
from domain.purchasing.orders import (
    FINALIZED_STAGES,
    TRANSITIONS,
    ApprovalStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Stage,
    changed,
    settle_line,
    stage_of,
)


class PurchaseOrderLineInput(InputModel):
    """A purchase order product as our API sends it; ERP-owned and derived fields refused."""

    line_number: LineNumber
    product_id: ProductId
    description: str | None = Field(default=None, max_length=1000)
    quantity: Quantity
    unit: str = Field(default="ea", min_length=1, max_length=10)
    warehouse: WarehouseId | None = None
    expected_date: date | None = None
    unit_price: ErpOwned = None
    discount_amount: ErpOwned = None
    discount_percentage: ErpOwned = None
    net_amount: ErpOwned = None
    confirmed_date: ErpOwned = None
    received_quantity: Derived = None
    written_off_quantity: Derived = None
    remaining_quantity: Derived = None
    status: Derived = None


class PurchaseOrderDefinition(InputModel):
    """The editable part of a purchase order (the body of PUT)."""

    name: str | None = Field(default=None, max_length=100)
    vendor_id: str = Field(min_length=1, max_length=100)
    vendor_reference: str | None = Field(default=None, max_length=100)
    company: str = Field(min_length=1, max_length=10)
    receiving_site: str = Field(min_length=1, max_length=50)
    receiving_warehouse: WarehouseId
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    requested_delivery_date: date | None = None
    lines: list[PurchaseOrderLineInput] = Field(default_factory=list, max_length=MAX_LINES)
    confirmed_delivery_date: ErpOwned = None
    status: ErpOwned = None
    approval_status: ErpOwned = None


class NewPurchaseOrder(PurchaseOrderDefinition):
    """The body of POST: a definition, optionally with the id (then a retry is idempotent)."""

    purchase_order_id: DocumentId | None = None


class ErpLineUpdate(InputModel):
    """What the ERP says about one line; absent fields stay as they are."""

    line_number: LineNumber
    status: PurchaseOrderStatus | None = None
    unit_price: Decimal | None = Field(default=None, ge=0)
    discount_amount: Decimal | None = Field(default=None, ge=0)
    discount_percentage: Decimal | None = Field(default=None, ge=0, le=100)
    net_amount: Decimal | None = None
    confirmed_date: date | None = None


class ErpStatusUpdate(InputModel):
    """A status update mirrored from the ERP: both statuses, the PO number, prices per line."""

    status: PurchaseOrderStatus
    approval_status: ApprovalStatus
    name: str | None = Field(default=None, max_length=100)
    confirmed_delivery_date: date | None = None
    lines: list[ErpLineUpdate] = Field(default_factory=list, max_length=MAX_LINES)


def create_purchase_order(
    definition: NewPurchaseOrder, order_id: str, now: datetime
) -> PurchaseOrder:
    """A new draft purchase order (status none, approval draft) from our API."""
    check_line_numbers([line.line_number for line in definition.lines])
    return PurchaseOrder.model_validate({
        **_header(definition), "purchase_order_id": order_id,
        "lines": [_new_line(definition, line) for line in definition.lines],
        "created_at": now, "updated_at": now,
    })  # fmt: skip


def edit_purchase_order(
    order: PurchaseOrder, definition: PurchaseOrderDefinition, now: datetime
) -> PurchaseOrder:
    """Replace the header and lines; refused unless the ERP confirmed it and it is not final.

    Lines left out are deleted (kept as tombstones). Received, invoiced or cancelled lines and
    lines with receipts keep their product, cannot be removed, and keep their quantity at least
    at what was received and written off.
    """
    check_editable(order)
    if definition.company != order.company:
        raise NotPermitted(f"the company of {order.purchase_order_id} cannot change", "company")
    check_line_numbers([line.line_number for line in definition.lines])
    given = {line.line_number for line in definition.lines}
    lines = [
        _edited_line(order, definition, index, line) for index, line in enumerate(definition.lines)
    ]
    for old in order.lines:
        if old.line_number in given:
            continue
        if not old.deleted and (old.has_receipts or old.status not in _OPEN):
            message = f"line {old.line_number} has receipts or is closed; it cannot be removed"
            raise NotPermitted(message, "lines")
        lines.append(old.model_copy(update={"deleted": True}))
    lines.sort(key=lambda line: line.line_number)
    return changed(order, now, **_header(definition), lines=lines)


def check_editable(order: PurchaseOrder) -> None:
    """Refuse a change by us unless the ERP confirmed the order and it is not finalized."""
    stage = order.stage
    if stage == Stage.DRAFT:
        message = (
            f"purchase order {order.purchase_order_id} is not confirmed by the ERP yet "
            f"(approval {order.approval_status}); it can be changed once confirmed"
        )
        raise NotPermitted(message, "approvalStatus")
    if stage in FINALIZED_STAGES:
        order_id = order.purchase_order_id
        message = f"purchase order {order_id} is finalized ({stage}); it can no longer change"
        raise NotPermitted(message, "status")


def apply_erp_update(order: PurchaseOrder, update: ErpStatusUpdate, now: datetime) -> PurchaseOrder:
    """Mirror the ERP: statuses (along the stage machine), PO number, dates and line prices."""
    target = stage_of(update.status, update.approval_status)
    current = order.stage
    if target not in TRANSITIONS[current]:
        message = (
            f"purchase order {order.purchase_order_id} is {current}; it cannot become {target}"
        )
        raise NotPermitted(message, "status")
    if target == Stage.CANCELLED and any(line.received_quantity > 0 for line in order.lines):
        message = f"purchase order {order.purchase_order_id} has receipts; it cannot be canceled"
        raise NotPermitted(message, "status")
    check_line_numbers([line.line_number for line in update.lines])
    lines = {line.line_number: line for line in order.lines}
    for index, line_update in enumerate(update.lines):
        line = lines.get(line_update.line_number)
        if line is None:
            raise unknown_line(line_update.line_number, lines, index)
        values = line_update.model_dump(exclude={"line_number"}, exclude_none=True)
        lines[line.line_number] = line.model_copy(update=values)
    if target == Stage.CANCELLED:
        lines = {n: _canceled(line) for n, line in lines.items()}
    header: dict[str, object] = {"status": update.status, "approval_status": update.approval_status}
    if update.name is not None:
        header["name"] = update.name
    if update.confirmed_delivery_date is not None:
        header["confirmed_delivery_date"] = update.confirmed_delivery_date
    return changed(order, now, **header, lines=[lines[n] for n in sorted(lines)])


_OPEN = (PurchaseOrderStatus.NONE, PurchaseOrderStatus.BACKORDER)


def _header(definition: PurchaseOrderDefinition) -> dict[str, object]:
    return definition.model_dump(
        include={"name", "vendor_id", "vendor_reference", "company", "receiving_site",
                 "receiving_warehouse", "currency", "requested_delivery_date"},
    )  # fmt: skip


def _line_values(
    definition: PurchaseOrderDefinition, line: PurchaseOrderLineInput
) -> dict[str, object]:
    return {
        "description": line.description, "quantity": line.quantity, "unit": line.unit,
        "warehouse": line.warehouse or definition.receiving_warehouse,
        "expected_date": line.expected_date or definition.requested_delivery_date,
    }  # fmt: skip


def _new_line(
    definition: PurchaseOrderDefinition, line: PurchaseOrderLineInput
) -> PurchaseOrderLine:
    values = _line_values(definition, line)
    return PurchaseOrderLine.model_validate(
        {"line_number": line.line_number, "product_id": line.product_id, **values}
    )


def _edited_line(
    order: PurchaseOrder,
    definition: PurchaseOrderDefinition,
    index: int,
    line: PurchaseOrderLineInput,
) -> PurchaseOrderLine:
    old = order.line(line.line_number)
    if old is None:
        return _new_line(definition, line)
    field = f"lines.{index}"
    if old.deleted:
        message = f"line {old.line_number} was deleted; add the product under a new line number"
        raise InvalidPurchasingInput(message, f"{field}.lineNumber")
    if old.product_id != line.product_id:
        message = f"line {old.line_number} is for {old.product_id}; delete it and add a new line"
        raise InvalidPurchasingInput(message, f"{field}.productId")
    values = _line_values(definition, line)
    if old.status not in _OPEN and any(getattr(old, k) != v for k, v in values.items()):
        raise NotPermitted(
            f"line {old.line_number} is {old.status}; it can no longer change", field
        )
    done = old.received_quantity + old.written_off_quantity
    if line.quantity < done:
        message = f"line {old.line_number} already has {done} received or written off"
        raise InvalidPurchasingInput(message, f"{field}.quantity")
    return settle_line(old.model_copy(update=values))


def _canceled(line: PurchaseOrderLine) -> PurchaseOrderLine:
    if line.deleted or line.status not in _OPEN:
        return line
    return line.model_copy(update={"status": PurchaseOrderStatus.CANCELED})
