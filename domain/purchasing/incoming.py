"""Incoming supply: the open purchase and transfer order lines that will bring stock in.

This is IOM's "Purchase Order products" view (and the Transfer Orders tab) on a sales order
line: for one product, every line still expected, with its warehouse, remaining quantity and
expected date. A purchase order line counts while the order is draft or confirmed and the line
is open (status none/backorder, something remaining); a transfer order line counts at the
destination while the order is not Received, for its quantity not received yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.purchasing.common import IncomingSupply, SupplyKey, SupplyKind
from domain.purchasing.orders import PurchaseOrder, Stage
from domain.purchasing.transfers import TransferOrder, TransferOrderStatus

SupplyDocument = PurchaseOrder | TransferOrder
_OPEN_STAGES = frozenset({Stage.DRAFT, Stage.CONFIRMED})


def supply_lines(document: SupplyDocument) -> list[IncomingSupply]:
    """Every open line of the document as incoming supply."""
    if isinstance(document, PurchaseOrder):
        return _purchase_order_lines(document)
    return _transfer_order_lines(document)


def supply_keys(document: SupplyDocument) -> list[SupplyKey]:
    """The index keys of every line of the document, open or not (deleted lines included)."""
    kind, document_id = document_identity(document)
    return [
        SupplyKey(line.product_id, kind, document_id, line.line_number) for line in document.lines
    ]


def document_identity(document: SupplyDocument) -> tuple[SupplyKind, str]:
    """The kind and id of a supply document."""
    if isinstance(document, PurchaseOrder):
        return SupplyKind.PURCHASE_ORDER, document.purchase_order_id
    return SupplyKind.TRANSFER_ORDER, document.transfer_order_id


def incoming(product_id: str, documents: Iterable[SupplyDocument]) -> list[IncomingSupply]:
    """The product's open lines across the documents, soonest expected first (undated last)."""
    found = [
        supply
        for document in documents
        for supply in supply_lines(document)
        if supply.product_id == product_id
    ]
    return sorted(found, key=_soonest)


def _purchase_order_lines(order: PurchaseOrder) -> list[IncomingSupply]:
    if order.stage not in _OPEN_STAGES:
        return []
    return [
        IncomingSupply(
            kind=SupplyKind.PURCHASE_ORDER,
            document_id=order.purchase_order_id,
            line_number=line.line_number,
            product_id=line.product_id,
            warehouse=line.warehouse,
            quantity_remaining=line.remaining_quantity,
            expected_date=line.confirmed_date or line.expected_date,
        )  # fmt: skip
        for line in order.lines
        if line.is_open
    ]


def _transfer_order_lines(order: TransferOrder) -> list[IncomingSupply]:
    if order.status == TransferOrderStatus.RECEIVED:
        return []
    return [
        IncomingSupply(
            kind=SupplyKind.TRANSFER_ORDER,
            document_id=order.transfer_order_id,
            line_number=line.line_number,
            product_id=line.product_id,
            warehouse=order.to_warehouse,
            quantity_remaining=line.quantity - line.received_quantity,
            expected_date=line.receive_date,
        )  # fmt: skip
        for line in order.lines
        if line.quantity > line.received_quantity
    ]


def _soonest(supply: IncomingSupply) -> tuple[bool, date, str, str, int]:
    expected = supply.expected_date or date.max
    return (
        supply.expected_date is None,
        expected,
        supply.kind,
        supply.document_id,
        supply.line_number,
    )
