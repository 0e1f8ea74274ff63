"""Transfer orders: stock moving between two warehouses of a company.

States (IOM): Created -> Shipped -> Received. Shipments add to the lines' shipped quantities
(never above the transfer quantity) and may come in several parts; receipts add to the received
quantities (never above what was shipped). The order becomes Received when every shipped unit
has arrived; then every line's status is None again, as in IOM, and anything never shipped no
longer counts as incoming. Until then the destination counts each line's quantity not yet
received as incoming stock. The header's ship and receive dates are the lines' defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, computed_field

from domain.errors import NotPermitted
from domain.purchasing.common import (
    MAX_LINES,
    DocumentId,
    DocumentModel,
    InputModel,
    InvalidPurchasingInput,
    LineNumber,
    LineQuantity,
    ProductId,
    Quantity,
    WarehouseId,
    check_dates,
    check_line_numbers,
    unknown_line,
)


class TransferOrderStatus(StrEnum):
    """The header's status."""

    CREATED = "Created"
    SHIPPED = "Shipped"
    RECEIVED = "Received"


class TransferLineStatus(StrEnum):
    """A line's status: Shipped once part of it left, None before and after the whole order."""

    NONE = "None"
    SHIPPED = "Shipped"


class TransferOrderLineInput(InputModel):
    """A transfer order product as our API sends it; dates default to the header's."""

    line_number: LineNumber
    product_id: ProductId
    quantity: Quantity
    unit: str = Field(default="ea", min_length=1, max_length=10)
    ship_date: date | None = None
    receive_date: date | None = None


class NewTransferOrder(InputModel):
    """The body of POST: header and lines, optionally with the id (a retry is idempotent)."""

    transfer_order_id: DocumentId | None = None
    name: str | None = Field(default=None, max_length=100)
    company: str = Field(min_length=1, max_length=10)
    from_warehouse: WarehouseId
    to_warehouse: WarehouseId
    ship_date: date | None = None
    receive_date: date | None = None
    lines: list[TransferOrderLineInput] = Field(min_length=1, max_length=MAX_LINES)


class ShipTransferOrder(InputModel):
    """A shipment: per line quantities (none: everything not shipped yet) and the ship date."""

    ship_date: date | None = None
    lines: list[LineQuantity] | None = Field(default=None, min_length=1, max_length=MAX_LINES)


class ReceiveTransferOrder(InputModel):
    """A receipt: per line quantities (none: everything in transit); the id makes it idempotent."""

    receipt_id: DocumentId | None = None
    receipt_date: date | None = None
    lines: list[LineQuantity] | None = Field(default=None, min_length=1, max_length=MAX_LINES)


class TransferOrderLine(DocumentModel):
    """A transfer order product with what left and what arrived."""

    line_number: int
    product_id: str
    quantity: Decimal
    unit: str = "ea"
    shipped_quantity: Decimal = Decimal(0)
    received_quantity: Decimal = Decimal(0)
    ship_date: date | None = None
    receive_date: date | None = None
    status: TransferLineStatus = TransferLineStatus.NONE

    @computed_field  # type: ignore[prop-decorator]
    @property
    def in_transit_quantity(self) -> Decimal:
        """Shipped and not received yet."""
        return self.shipped_quantity - self.received_quantity


class TransferOrder(DocumentModel):
    """A transfer order as the hub stores it (IOM transfer order and its products)."""

    transfer_order_id: DocumentId
    name: str | None = None
    company: str
    from_warehouse: str
    to_warehouse: str
    ship_date: date | None = None
    receive_date: date | None = None
    status: TransferOrderStatus = TransferOrderStatus.CREATED
    lines: list[TransferOrderLine]
    revision: int = Field(default=1, ge=1)
    created_at: datetime
    updated_at: datetime


class TransferReceiptLine(DocumentModel):
    """One received line: product, destination warehouse and quantity."""

    line_number: int
    product_id: str
    warehouse: str
    quantity: Decimal


class TransferReceipt(DocumentModel):
    """A posted receipt of a transfer order."""

    receipt_id: str
    transfer_order_id: str
    receipt_date: date
    lines: list[TransferReceiptLine]
    posted_at: datetime


def create_transfer_order(order: NewTransferOrder, order_id: str, now: datetime) -> TransferOrder:
    """A new Created transfer order; the lines' dates default to the header's."""
    if order.from_warehouse == order.to_warehouse:
        raise InvalidPurchasingInput("the destination must differ from the origin", "toWarehouse")
    check_dates(order.ship_date, order.receive_date, "receiveDate")
    check_line_numbers([line.line_number for line in order.lines])
    lines: list[TransferOrderLine] = []
    for index, line in enumerate(order.lines):
        ship, receive = line.ship_date or order.ship_date, line.receive_date or order.receive_date
        check_dates(ship, receive, f"lines.{index}.receiveDate")
        lines.append(TransferOrderLine(
            line_number=line.line_number, product_id=line.product_id, quantity=line.quantity,
            unit=line.unit, ship_date=ship, receive_date=receive,
        ))  # fmt: skip
    header = order.model_dump(exclude={"transfer_order_id", "lines"})
    return TransferOrder.model_validate(
        {**header, "transfer_order_id": order_id, "lines": lines, "created_at": now,
         "updated_at": now}
    )  # fmt: skip


def ship_transfer_order(
    order: TransferOrder, shipment: ShipTransferOrder, now: datetime
) -> TransferOrder:
    """Add a shipment: shipped quantities grow (at most the transfer quantity); now Shipped."""
    if order.status == TransferOrderStatus.RECEIVED:
        raise NotPermitted(f"transfer order {order.transfer_order_id} is received", "status")
    quantities = _quantities(
        order, shipment.lines, lambda line: line.quantity - line.shipped_quantity
    )
    if not quantities:
        raise NotPermitted(f"transfer order {order.transfer_order_id} is fully shipped", "lines")
    lines = []
    for line in order.lines:
        quantity = quantities.get(line.line_number)
        if quantity is not None:
            line = line.model_copy(update={
                "shipped_quantity": line.shipped_quantity + quantity,
                "ship_date": shipment.ship_date or line.ship_date,
                "status": TransferLineStatus.SHIPPED,
            })  # fmt: skip
        lines.append(line)
    return _changed(order, now, lines=lines, status=TransferOrderStatus.SHIPPED)


def receive_transfer_order(
    order: TransferOrder, receipt: ReceiveTransferOrder, receipt_id: str, now: datetime, today: date
) -> tuple[TransferOrder, TransferReceipt]:
    """Add a receipt (at most what is in transit); Received once nothing is in transit."""
    if order.status != TransferOrderStatus.SHIPPED:
        order_id = order.transfer_order_id
        message = f"transfer order {order_id} is {order.status}; only shipped orders are received"
        raise NotPermitted(message, "status")
    quantities = _quantities(order, receipt.lines, lambda line: line.in_transit_quantity)
    if not quantities:
        raise NotPermitted(
            f"transfer order {order.transfer_order_id} has nothing in transit", "lines"
        )
    lines = [
        line.model_copy(update={"received_quantity": line.received_quantity + quantities[number]})
        if (number := line.line_number) in quantities else line
        for line in order.lines
    ]  # fmt: skip
    status: TransferOrderStatus = order.status
    if all(line.in_transit_quantity == 0 for line in lines):
        status = TransferOrderStatus.RECEIVED
        lines = [line.model_copy(update={"status": TransferLineStatus.NONE}) for line in lines]
    posted = TransferReceipt(
        receipt_id=receipt_id, transfer_order_id=order.transfer_order_id,
        receipt_date=receipt.receipt_date or today, posted_at=now,
        lines=[
            TransferReceiptLine(line_number=line.line_number, product_id=line.product_id,
                                warehouse=order.to_warehouse, quantity=quantities[line.line_number])
            for line in order.lines if line.line_number in quantities
        ],
    )  # fmt: skip
    return _changed(order, now, lines=lines, status=status), posted


def same_transfer_receipt(posted: TransferReceipt, receipt: ReceiveTransferOrder) -> bool:
    """True when a receipt sent again matches the one posted (lines, when given, and date)."""
    if receipt.receipt_date not in (None, posted.receipt_date):
        return False
    if receipt.lines is None:
        return True
    sent = {(line.line_number, line.quantity) for line in receipt.lines}
    return sent == {(line.line_number, line.quantity) for line in posted.lines}


def _quantities(
    order: TransferOrder,
    given: list[LineQuantity] | None,
    available: Callable[[TransferOrderLine], Decimal],
) -> dict[int, Decimal]:
    """Quantities per line: the given ones (checked against what is available) or all of it."""
    if given is None:
        return {line.line_number: available(line) for line in order.lines if available(line) > 0}
    check_line_numbers([line.line_number for line in given])
    lines = {line.line_number: line for line in order.lines}
    for index, item in enumerate(given):
        line = lines.get(item.line_number)
        if line is None:
            raise unknown_line(item.line_number, lines, index)
        if item.quantity > available(line):
            message = (
                f"line {line.line_number} has only {available(line)} available, not {item.quantity}"
            )
            raise InvalidPurchasingInput(message, f"lines.{index}.quantity")
    return {item.line_number: item.quantity for item in given}


def _changed(order: TransferOrder, now: datetime, **update: object) -> TransferOrder:
    return order.model_copy(update={**update, "revision": order.revision + 1, "updated_at": now})
