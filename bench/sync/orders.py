"""The benchmark's orders: a seeded, deterministic mix placed through the hub's own intake.

Most orders are ready (company, sites and warehouses assigned, as the seed's assignment policies
would); a share is held (no company, so the maps' filters keep them back); a share carries one
line of an item F&O refuses, so the order fails with a Sync Error on that line while its header
and other lines sync. The mix fixes what the initial sync must count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.orders.model import SalesOrder
from services.orders.commands import PlaceOrder
from services.orders.engine import Engine
from services.orders.intake import place_order

REFUSED_ITEM = "9999"  # withheld from release in F&O for the benchmark
ITEMS = tuple(str(number) for number in range(1000, 1200))
HELD_SHARE, REFUSED_SHARE = 0.10, 0.05
MAX_LINES = 4
CHANNEL = "bench"


class Kind(StrEnum):
    """What the initial sync should do with an order."""

    READY = "ready"  # syncs: header and every line
    HELD = "held"  # skipped: no company yet
    REFUSED = "refused"  # fails: one line's item is not released in F&O


@dataclass(frozen=True)
class Mix:
    """How many orders of each kind."""

    ready: int
    held: int
    refused: int

    @classmethod
    def of(cls, orders: int) -> Mix:
        """The benchmark's shares of `orders` (rounded; the ready ones take the remainder)."""
        held, refused = round(orders * HELD_SHARE), round(orders * REFUSED_SHARE)
        return cls(orders - held - refused, held, refused)

    @property
    def orders(self) -> int:
        """Orders in the mix."""
        return self.ready + self.held + self.refused


@dataclass(frozen=True)
class OrderPlan:
    """One order to place: its channel id, kind and line items with quantities."""

    external_id: str
    kind: Kind
    lines: tuple[tuple[str, int], ...]


def plan_orders(mix: Mix, seed: int) -> list[OrderPlan]:
    """The orders of the mix, kinds shuffled and lines drawn from the seed."""
    rng = random.Random(seed)
    kinds = [Kind.READY] * mix.ready + [Kind.HELD] * mix.held + [Kind.REFUSED] * mix.refused
    rng.shuffle(kinds)
    return [_plan(rng, index, kind) for index, kind in enumerate(kinds)]


def _plan(rng: random.Random, index: int, kind: Kind) -> OrderPlan:
    count = rng.randint(1, MAX_LINES - 1 if kind is Kind.REFUSED else MAX_LINES)
    lines = [(item, rng.randint(1, 5)) for item in rng.sample(ITEMS, count)]
    if kind is Kind.REFUSED:
        lines.insert(rng.randint(0, len(lines)), (REFUSED_ITEM, 1))
    return OrderPlan(f"B-{index:06d}", kind, tuple(lines))


def place_orders(engine: Engine, plans: list[OrderPlan]) -> int:
    """Place every planned order and assign the ready ones; return the lines placed."""
    lines = 0
    for plan in plans:
        order_id = place_order(_command(plan), engine).order_id
        if plan.kind is not Kind.HELD:
            _assign(engine, order_id)
        lines += len(plan.lines)
    return lines


def _command(plan: OrderPlan) -> PlaceOrder:
    body: dict[str, Any] = {
        "channel": CHANNEL, "externalOrderId": plan.external_id, "customerId": "US-001",
        "currency": "USD", "shipTo": {"line1": "1 Main St", "city": "Seattle", "country": "US"},
        "lines": [
            {"productId": item, "quantity": quantity, "unitPrice": "10.00",
             "discount": "1.00" if quantity > 1 else "0"}
            for item, quantity in plan.lines
        ],
    }  # fmt: skip
    return PlaceOrder.model_validate(body)


def _assign(engine: Engine, order_id: str) -> None:
    """What the seed's assignment policies do: company, invoice customer, sites; ready to sync."""
    loaded = engine.orders.get(order_id)
    if loaded is None:
        raise LookupError(f"order {order_id} vanished after it was placed")
    _ready(loaded.order)
    loaded.order.updated_at = engine.clock.now()
    engine.relay(engine.orders.save(loaded, []))


def _ready(order: SalesOrder) -> None:
    order.company, order.invoice_customer_id, order.ready_to_sync = "usmf", "US-001", True
    for line in order.lines:
        line.company, line.shipping_site, line.shipping_warehouse = "usmf", "1", "11"
        line.ready_to_sync = True
