"""Fulfillment determination actions: the optimizer and the policy-based process request.

Both end the same way: allocations are reserved (ETag-safe, idempotent by order, line and
source), what was reserved becomes fulfillment order lines (one fulfillment order per source),
and what could not be sourced is held: Backorder Hold with its availability date from incoming
supply when backorders are on (and indexed for the release job), else Inventory not found.
Reservations happen before the order commits; they are idempotent, so a retried step reserves
nothing twice, and cancel releases them by the same references.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Protocol

from domain.flows.model import ActionType, Step
from domain.inventory.sources import FulfillmentSource
from domain.orders.events import BusinessEvent
from domain.orders.model import OrderLine, SalesOrder
from domain.orders.preferences import FulfillmentProcessMode, OrderHandlingPreferences
from domain.orders.states import OrderState, Reason
from services.backorder_index import BackorderIndex, HeldLine, HoldKind
from services.fulfillment_lines import (
    Allocation,
    Determination,
    Reserved,
    add_to_fulfillment_orders,
    open_quantities,
    open_quantity,
    preorder_holds,
    split_lines,
    with_references,
)
from services.jobs import PreferenceStore
from services.orders.ports import FulfillmentOutcome

__all__ = [
    "Allocation", "CapacityLedger", "Determination", "Fulfillment", "Reserved",
    "SourcingPlanner", "StockKeeper",
]  # fmt: skip


class SourcingPlanner(Protocol):
    """Decides allocations for the open quantities of an order (the optimizer)."""

    def determine(self, order: SalesOrder, open_quantities: dict[str, Decimal]) -> Determination:
        """Allocations for the given open quantity per line id."""
        ...


class CapacityLedger(Protocol):
    """Lines planned per source and day (the optimizer's daily line capacity)."""

    def record(self, day: date, entries: Sequence[tuple[str, str]]) -> None:
        """Count each (source id, order line key) once for the day."""
        ...

    def lines_on(self, day: date) -> dict[str, int]:
        """Lines planned per source on the day."""
        ...


class StockKeeper(Protocol):
    """The inventory operations fulfillment needs."""

    def reserve_allocations(self, allocations: Sequence[Allocation]) -> list[Reserved]:
        """Reserve each allocation under its reference (idempotent by it); never oversell."""
        ...

    def release_references(self, references: Sequence[str]) -> None:
        """Give back what was reserved under these references (idempotent)."""
        ...

    def check(self, allocations: Sequence[Allocation]) -> list[Reserved]:
        """How much of each allocation is available now, reserving nothing."""
        ...

    def earliest_supply(self, product_id: str) -> datetime | None:
        """When incoming supply (purchase or transfer orders) is next expected, if any."""
        ...

    def sources(self) -> dict[str, FulfillmentSource]:
        """Every fulfillment source by id."""
        ...


@dataclass
class Fulfillment:
    """Runs the two fulfillment determination actions on an order."""

    planner: SourcingPlanner
    stock: StockKeeper
    preferences: PreferenceStore
    backorders: BackorderIndex
    capacity: CapacityLedger

    def perform(self, step: Step, order: SalesOrder, now: datetime) -> FulfillmentOutcome:
        """Run the step's fulfillment action on the order's open quantities."""
        wanted = open_quantities(order)
        if not wanted:
            return FulfillmentOutcome(True, "every open line is already sourced")
        prefs = self.preferences.load()
        preorders = self._hold_preorders(order, wanted, now)
        for line_id in preorders:
            del wanted[line_id]
        if not wanted:
            event = (BusinessEvent.LINE_PREORDERED, preorders)
            return FulfillmentOutcome(
                True, f"lines {', '.join(preorders)} wait for launch", [event]
            )
        if step.action == ActionType.SEND_TO_OPTIMIZATION:
            determination = self.planner.determine(order, wanted)
            result = self._settle(order, determination, prefs, now, reserve=True)
        else:
            result = self._process_request(order, wanted, prefs, now)
        if preorders:
            result.line_events.append((BusinessEvent.LINE_PREORDERED, preorders))
        return result

    def _hold_preorders(
        self, order: SalesOrder, open_quantities: dict[str, Decimal], now: datetime
    ) -> list[str]:
        held: list[str] = []
        for line_id, quantity in open_quantities.items():
            line = order.line(line_id)
            if line.launch_date is None or line.launch_date <= now.date():
                continue
            launch = datetime.combine(line.launch_date, time(), UTC)
            if line.product_id is not None:
                self.backorders.add(
                    replace(_held(order, line, now, launch), quantity=quantity,
                            kind=HoldKind.PREORDER)
                )  # fmt: skip
            held.append(line_id)
        return held

    def release(self, order: SalesOrder, line_ids: Sequence[str]) -> None:
        """Give back the stock reserved for these lines; their fulfillment lines are canceled."""
        wanted = set(line_ids)
        references = [
            fl.reservation
            for fo in order.fulfillment_orders
            for fl in fo.lines
            if fl.line_id in wanted and fl.state != OrderState.CANCELED and fl.reservation
        ]
        self.stock.release_references(references)
        for fo in order.fulfillment_orders:
            for fl in fo.lines:
                if fl.line_id in wanted:
                    fl.state, fl.reason = OrderState.CANCELED, Reason.CANCELED

    def _process_request(
        self,
        order: SalesOrder,
        open_quantities: dict[str, Decimal],
        prefs: OrderHandlingPreferences,
        now: datetime,
    ) -> FulfillmentOutcome:
        unassigned = [i for i in open_quantities if order.line(i).fulfillment_source is None]
        if unassigned:
            details = f"lines {', '.join(unassigned)} have no fulfillment source; assign by policy"
            return FulfillmentOutcome(False, details)
        allocations = [
            Allocation(i, order.line(i).product_id, order.line(i).fulfillment_source or "", q)
            for i, q in open_quantities.items()
        ]
        mode = prefs.fulfillment_process
        if mode == FulfillmentProcessMode.ON_HAND_CHECK:
            return _on_hand_check(allocations, self.stock.check(allocations))
        determination = Determination(allocations)
        reserve = mode == FulfillmentProcessMode.CHECK_AND_CREATE
        return self._settle(order, determination, prefs, now, reserve=reserve)

    def _settle(
        self,
        order: SalesOrder,
        determination: Determination,
        prefs: OrderHandlingPreferences,
        now: datetime,
        *,
        reserve: bool,
    ) -> FulfillmentOutcome:
        if determination.failure is not None:
            return FulfillmentOutcome(False, determination.failure)
        allocations = with_references(order, determination.allocations)
        if reserve:
            reserved = self.stock.reserve_allocations(allocations)
        else:
            reserved = [Reserved(a, a.quantity) for a in allocations]
        add_to_fulfillment_orders(order, reserved, self.stock.sources())
        self.capacity.record(
            now.date(),
            [(r.allocation.source_id, f"{order.order_id}|{r.allocation.line_id}")
             for r in reserved if r.quantity > 0],
        )  # fmt: skip
        created, held = split_lines(order, preorder_holds(order, now))
        events: list[tuple[str, list[str]]] = []
        if created:
            events.append((BusinessEvent.FULFILLMENT_ORDER_CREATED, created))
        if held:
            events.append(self._hold(order, held, prefs, now))
        notes = [*determination.notes, _summary(created, held, prefs)]
        return FulfillmentOutcome(True, "; ".join(n for n in notes if n), events)

    def _hold(
        self, order: SalesOrder, line_ids: list[str], prefs: OrderHandlingPreferences, now: datetime
    ) -> tuple[str, list[str]]:
        if not prefs.backorders:
            return BusinessEvent.INVENTORY_NOT_FOUND, line_ids
        # The SLA runs from when the customer ordered: that is how long they have waited.
        due = (order.ordered_at or order.created_at) + timedelta(days=prefs.cancellation_sla_days)
        for line_id in line_ids:
            line = order.line(line_id)
            line.quantity_backordered = open_quantity(order, line)
            if line.product_id is None:
                continue
            supply = self.stock.earliest_supply(line.product_id)
            line.availability_date = supply.date() if supply is not None else None
            self.backorders.add(_held(order, line, now, due))
        return BusinessEvent.LINE_BACKORDERED, line_ids


def _held(order: SalesOrder, line: OrderLine, now: datetime, due: datetime) -> HeldLine:
    return HeldLine(
        order_id=order.order_id, line_id=line.line_id, product_id=line.product_id or "",
        quantity=line.quantity_backordered, ordered_at=order.ordered_at or order.created_at,
        priority=order.priority, held_at=now, kind=HoldKind.BACKORDER, due_at=due,
    )  # fmt: skip


def _on_hand_check(allocations: list[Allocation], available: list[Reserved]) -> FulfillmentOutcome:
    short = [r for r in available if r.quantity < r.allocation.quantity]
    if not short:
        event = (BusinessEvent.ON_HAND_CHECK_SUCCEEDED, [a.line_id for a in allocations])
        return FulfillmentOutcome(True, "on-hand check passed at the assigned sources", [event])
    details = "; ".join(
        f"line {r.allocation.line_id}: {r.quantity} of {r.allocation.quantity} on hand at "
        f"{r.allocation.source_id}"
        for r in short
    )
    event = (BusinessEvent.ON_HAND_CHECK_FAILED, [r.allocation.line_id for r in short])
    return FulfillmentOutcome(False, f"on-hand check failed: {details}", [event])


def _summary(created: list[str], held: list[str], prefs: OrderHandlingPreferences) -> str:
    parts = []
    if created:
        parts.append(f"fulfillment orders cover lines {', '.join(created)}")
    if held:
        hold = "backordered" if prefs.backorders else "inventory not found"
        parts.append(f"lines {', '.join(held)} {hold}")
    return "; ".join(parts)
