"""Product receipts (goods receipts) against purchase orders, and the under-delivery journal.

Received quantities accumulate per line and may never exceed what remains on order. A receipt
line that closes its line with less than ordered writes the shortfall off: an inventory journal
row (reason "under-delivery") records it and the line's remaining on-order quantity becomes 0,
as Supply Chain Management's OneFSSCM logic does for Dataverse.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from domain.errors import NotPermitted
from domain.purchasing.common import (
    MAX_LINES,
    DocumentId,
    DocumentModel,
    InputModel,
    InvalidPurchasingInput,
    LineNumber,
    check_line_numbers,
    unknown_line,
)
from domain.purchasing.orders import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Stage,
    changed,
    settle_line,
)

UNDER_DELIVERY = "under-delivery"
ReceivedQuantity = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]


class ReceiptLineInput(InputModel):
    """One line of a product receipt: how much of a purchase order line arrived."""

    line_number: LineNumber
    quantity: ReceivedQuantity
    close_line: bool = False  # nothing more will come: write the shortfall off


class ProductReceiptInput(InputModel):
    """A product receipt as the ERP posts it; the receipt id makes a retry idempotent."""

    receipt_id: DocumentId
    receipt_date: date | None = None  # defaults to today
    note: str | None = Field(default=None, max_length=1000)
    lines: list[ReceiptLineInput] = Field(min_length=1, max_length=MAX_LINES)


class JournalEntry(DocumentModel):
    """An inventory journal row that takes a written-off shortfall off the on-order quantity."""

    journal_id: str
    product_id: str
    warehouse: str
    quantity: Decimal  # the shortfall, removed from the quantity on order
    reason: str = UNDER_DELIVERY
    purchase_order_id: str
    line_number: int
    receipt_id: str
    posted_at: datetime


class ReceiptLine(DocumentModel):
    """A posted receipt line, with the purchase order line's quantities after it."""

    line_number: int
    product_id: str
    warehouse: str
    quantity: Decimal
    close_line: bool
    ordered_quantity: Decimal
    received_quantity: Decimal  # on the purchase order line, this receipt included
    remaining_quantity: Decimal


class ProductReceipt(DocumentModel):
    """A posted product receipt (IOM purchase order receipt and its products)."""

    receipt_id: str
    purchase_order_id: str
    receipt_date: date
    note: str | None = None
    lines: list[ReceiptLine]
    journal: list[JournalEntry] = Field(default_factory=list)
    posted_at: datetime


def post_receipt(
    order: PurchaseOrder, receipt: ProductReceiptInput, now: datetime, today: date
) -> tuple[PurchaseOrder, ProductReceipt]:
    """Apply a receipt to a confirmed purchase order: the changed order and the posted receipt."""
    if order.stage != Stage.CONFIRMED:
        order_id = order.purchase_order_id
        message = f"purchase order {order_id} is {order.stage}; only confirmed orders take receipts"
        raise NotPermitted(message, "status")
    check_line_numbers([line.line_number for line in receipt.lines])
    lines = {line.line_number: line for line in order.live_lines()}
    posted: list[ReceiptLine] = []
    journal: list[JournalEntry] = []
    for index, given in enumerate(receipt.lines):
        line = lines.get(given.line_number)
        if line is None:
            raise unknown_line(given.line_number, lines, index)
        _check_quantity(line, given, index)
        line = line.model_copy(
            update={"received_quantity": line.received_quantity + given.quantity}
        )
        if given.close_line and line.remaining_quantity > 0:
            entry = _write_off(order, line, receipt.receipt_id, now)
            journal.append(entry)
            line = line.model_copy(
                update={"written_off_quantity": line.written_off_quantity + entry.quantity}
            )
        line = settle_line(line)
        lines[line.line_number] = line
        posted.append(_posted(line, given))
    new_lines = [lines.get(line.line_number, line) for line in order.lines]
    updated = changed(order, now, lines=new_lines, status=_header_status(order, new_lines))
    result = ProductReceipt(
        receipt_id=receipt.receipt_id, purchase_order_id=order.purchase_order_id,
        receipt_date=receipt.receipt_date or today, note=receipt.note, lines=posted,
        journal=journal, posted_at=now,
    )  # fmt: skip
    return updated, result


def same_receipt(posted: ProductReceipt, receipt: ProductReceiptInput) -> bool:
    """True when a receipt sent again is the one already posted (same lines, same date if any)."""
    sent = {(line.line_number, line.quantity, line.close_line) for line in receipt.lines}
    kept = {(line.line_number, line.quantity, line.close_line) for line in posted.lines}
    return sent == kept and receipt.receipt_date in (None, posted.receipt_date)


def receipt_reference(kind: str, document_id: str, receipt_id: str, line_number: int) -> str:
    """The unique reference of one received line, e.g. `PO/PO-1/R-1/1` (listeners dedupe on it)."""
    return f"{kind}/{document_id}/{receipt_id}/{line_number}"


def _check_quantity(line: PurchaseOrderLine, given: ReceiptLineInput, index: int) -> None:
    field = f"lines.{index}.quantity"
    remaining = line.remaining_quantity
    if not line.is_open:
        message = f"line {line.line_number} is {line.status}; nothing remains to receive"
        raise InvalidPurchasingInput(message, field)
    if given.quantity > remaining:
        message = (
            f"over-receipt: line {line.line_number} has {remaining} remaining, not {given.quantity}"
        )
        raise InvalidPurchasingInput(message, field)
    if given.quantity == 0 and not given.close_line:
        raise InvalidPurchasingInput("receive a positive quantity, or close the line", field)


def _write_off(
    order: PurchaseOrder, line: PurchaseOrderLine, receipt_id: str, now: datetime
) -> JournalEntry:
    return JournalEntry(
        journal_id=receipt_reference("PO", order.purchase_order_id, receipt_id, line.line_number),
        product_id=line.product_id, warehouse=line.warehouse, quantity=line.remaining_quantity,
        purchase_order_id=order.purchase_order_id, line_number=line.line_number,
        receipt_id=receipt_id, posted_at=now,
    )  # fmt: skip


def _posted(line: PurchaseOrderLine, given: ReceiptLineInput) -> ReceiptLine:
    return ReceiptLine(
        line_number=line.line_number, product_id=line.product_id, warehouse=line.warehouse,
        quantity=given.quantity, close_line=given.close_line, ordered_quantity=line.quantity,
        received_quantity=line.received_quantity, remaining_quantity=line.remaining_quantity,
    )  # fmt: skip


def _header_status(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> PurchaseOrderStatus:
    """Received once no live line remains open (canceled if nothing came), else an open order."""
    live = [line for line in lines if not line.deleted]
    if live and not any(line.is_open for line in live):
        anything = any(line.received_quantity > 0 for line in live)
        return PurchaseOrderStatus.RECEIVED if anything else PurchaseOrderStatus.CANCELED
    return (
        PurchaseOrderStatus.BACKORDER if order.status == PurchaseOrderStatus.NONE else order.status
    )
