"""Order intake: one order per (channel, external order id), however often it is posted.

The order id is derived from (channel, external order id), so every repeat of a post computes
the same id and the repository's insert-if-absent decides, atomically, which one creates it.
The creating post also binds the order to the published flows that start on New Order and
stages their first steps in the same transaction, so a repeat never starts a second run.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from domain.orders.events import BusinessEvent
from domain.orders.model import Address, OrderLine, SalesOrder
from services.errors import EntityAlreadyExists, InvalidInput
from services.orders.commands import AddressInput, PlaceOrder, money_problem
from services.orders.engine import Engine
from services.orders.limits import MAX_ORDER_DOCUMENT_CHARS

# Fixed for good: changing it would give every known order a new id.
_ORDER_NAMESPACE = uuid.UUID("6d1f3c0e-6b7a-4f43-9a55-2f0c1f1f8e21")
INTAKE_SOURCE = "intake"


@dataclass(frozen=True)
class PlacementResult:
    """The order's id and whether this call created it (False for a repeat)."""

    order_id: str
    created: bool


def order_id_for(channel: str, external_order_id: str) -> str:
    """The order id for a channel's order: the same inputs always give the same id."""
    return str(uuid.uuid5(_ORDER_NAMESPACE, f"{channel.lower()}\x1f{external_order_id}"))


def place_order(command: PlaceOrder, engine: Engine) -> PlacementResult:
    """Create the order, raise New Order and start its flows, unless it already exists."""
    order_id = order_id_for(command.channel, command.external_order_id)
    if engine.orders.get(order_id) is not None:
        return PlacementResult(order_id, created=False)
    problem = money_problem(command)
    if problem is not None:
        raise InvalidInput(problem[1], problem[0])
    now = engine.clock.now()
    order = new_order(command, order_id, now)
    if len(order.model_dump_json(by_alias=True)) > MAX_ORDER_DOCUMENT_CHARS:
        raise InvalidInput("the order is larger than the hub stores in one order", "lines")
    order.raise_event(BusinessEvent.NEW_ORDER, now, source=INTAKE_SOURCE)
    messages = engine.start_flows(order, now)
    try:
        records = engine.orders.add(order, messages)
    except EntityAlreadyExists:
        return PlacementResult(order_id, created=False)  # a concurrent repeat won the insert
    engine.relay(records)
    return PlacementResult(order_id, created=True)


def new_order(command: PlaceOrder, order_id: str, now: datetime) -> SalesOrder:
    """The new order aggregate for a validated command."""
    lines = [
        OrderLine(line_id=f"{number:04d}", line_number=number, **line.model_dump(exclude_none=True))
        for number, line in enumerate(command.lines, start=1)
    ]
    header = command.model_dump(exclude={"lines", "ship_to", "bill_to"}, exclude_none=True)
    return SalesOrder(
        order_id=order_id,
        **header,
        ship_to=_address(command.ship_to),
        bill_to=_address(command.bill_to) if command.bill_to else None,
        created_at=now,
        updated_at=now,
        lines=lines,
    )


def _address(value: AddressInput) -> Address:
    return Address.model_validate(value.model_dump())
