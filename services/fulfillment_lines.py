"""Fulfillment lines: allocations, reservation references, open quantities, fulfillment orders.

The bookkeeping shared by the fulfillment actions and the backorder release job: what a line
still needs, which reference its reservation goes under, and how reserved quantities become
lines of one fulfillment order per source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from domain.inventory.sources import FulfillmentSource
from domain.orders.model import FulfillmentOrder, FulfillmentOrderLine, OrderLine, SalesOrder
from domain.orders.states import OPEN, Reason


@dataclass(frozen=True)
class Allocation:
    """Part of a line to ship from one source; `reference` names its reservation."""

    line_id: str
    product_id: str | None
    source_id: str
    quantity: Decimal
    reference: str = ""


@dataclass
class Determination:
    """Where the open quantity of each line should come from, and why."""

    allocations: list[Allocation]
    notes: list[str] = field(default_factory=list)
    failure: str | None = None  # the request could not be planned at all


@dataclass(frozen=True)
class Reserved:
    """How much of an allocation inventory actually reserved."""

    allocation: Allocation
    quantity: Decimal


MAX_REFERENCE_CHARS = 100  # inventory's limit for a reservation reference


def reservation_reference(*parts: str) -> str:
    """Join parts into a reference; a long one keeps its start and a digest of the whole."""
    joined = "|".join(parts)
    if len(joined) <= MAX_REFERENCE_CHARS:
        return joined
    digest = hashlib.sha256(joined.encode()).hexdigest()[:40]
    return f"{joined[: MAX_REFERENCE_CHARS - 41]}~{digest}"


def with_references(order: SalesOrder, allocations: Sequence[Allocation]) -> list[Allocation]:
    """Give each allocation a reservation reference that is the same when a step is retried.

    The number counts the fulfillment lines the order already has for that line and source, so
    a retry (same order state) repeats the reference while a later reservation gets a new one.
    """
    return [
        replace(
            a,
            reference=reservation_reference(
                order.order_id, a.line_id, a.source_id, str(_count(order, a) + 1)
            ),
        )
        for a in allocations
    ]


def _count(order: SalesOrder, allocation: Allocation) -> int:
    return sum(
        1
        for fo in order.fulfillment_orders
        if fo.source_id == allocation.source_id
        for fl in fo.lines
        if fl.line_id == allocation.line_id
    )


def assigned_quantity(order: SalesOrder, line_id: str) -> Decimal:
    """How much of the line its fulfillment orders already cover."""
    return sum(
        (
            fl.quantity
            for fo in order.fulfillment_orders
            for fl in fo.lines
            if fl.line_id == line_id
        ),
        Decimal(0),
    )


def _open(order: SalesOrder, line: OrderLine) -> Decimal:
    return line.quantity - line.quantity_canceled - assigned_quantity(order, line.line_id)


def open_quantity(order: SalesOrder, line: OrderLine) -> Decimal:
    """The line's quantity not yet covered by fulfillment orders nor canceled."""
    return _open(order, line)


def open_quantities(order: SalesOrder) -> dict[str, Decimal]:
    """Open quantity per open line that still needs some."""
    return {
        line.line_id: _open(order, line)
        for line in order.lines
        if line.state in OPEN and _open(order, line) > 0
    }


def add_to_fulfillment_orders(
    order: SalesOrder, reserved: Sequence[Reserved], sources: dict[str, FulfillmentSource]
) -> None:
    """Add reserved quantities to the order's fulfillment orders, one per source."""
    for item in reserved:
        if item.quantity <= 0:
            continue
        allocation = item.allocation
        fo = _fulfillment_order(order, allocation.source_id, sources.get(allocation.source_id))
        fo.lines.append(
            FulfillmentOrderLine(
                line_id=allocation.line_id, product_id=allocation.product_id,
                quantity=item.quantity, reservation=allocation.reference or None,
            )
        )  # fmt: skip
        line = order.line(allocation.line_id)
        source = sources.get(allocation.source_id)
        line.fulfillment_source = allocation.source_id
        if source is not None:
            # IOM derives the shipping warehouse from the source; it is never set by hand.
            line.shipping_site = source.shipping_site or line.shipping_site
            line.shipping_warehouse = source.shipping_warehouse or line.shipping_warehouse


def _fulfillment_order(
    order: SalesOrder, source_id: str, source: FulfillmentSource | None
) -> FulfillmentOrder:
    for fo in order.fulfillment_orders:
        if fo.source_id == source_id:
            return fo
    fo = FulfillmentOrder(
        fulfillment_order_id=f"{order.order_id}-{len(order.fulfillment_orders) + 1:02d}",
        source_id=source_id,
        shipping_warehouse=source.shipping_warehouse if source is not None else None,
    )
    order.fulfillment_orders.append(fo)
    return fo


def split_lines(order: SalesOrder, skip: set[str]) -> tuple[list[str], list[str]]:
    """Open lines fully covered by fulfillment orders, and those still short (minus `skip`)."""
    created: list[str] = []
    held: list[str] = []
    for line in order.lines:
        if line.state not in OPEN or line.line_id in skip:
            continue
        (held if _open(order, line) > 0 else created).append(line.line_id)
    return created, held


def preorder_holds(order: SalesOrder, now: datetime) -> set[str]:
    """Lines on Preorder Hold, or about to be (launch date still ahead)."""
    # Lines on Preorder Hold, and lines this run is about to put there (launch still ahead).
    return {
        line.line_id
        for line in order.lines
        if line.reason == Reason.PREORDER_HOLD
        or (line.launch_date is not None and line.launch_date > now.date())
    }
