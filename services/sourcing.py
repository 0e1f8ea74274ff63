"""The optimizer behind "Send to fulfillment optimization", and what-if plans for operators.

It picks the order's strategy (its own, else the preferences' default, else the one marked
default), reads the available stock of the order's products at the strategy's sources (and
those of its alternates), and runs the pure planner (domain.sourcing). Reserving and creating
fulfillment orders is the caller's business (services.fulfillment), so a what-if plan reserves
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from domain.inventory.sources import FulfillmentSource, GeoPoint
from domain.orders.model import Address, SalesOrder
from domain.sourcing import plan_fulfillment
from domain.sourcing.model import FulfillmentPlan, PlanningLine, PlanningRequest, Snapshot, Strategy
from services.errors import NotFound
from services.fulfillment import Allocation, CapacityLedger, Determination
from services.jobs import PreferenceStore
from services.ports import Clock


class StrategyRepository(Protocol):
    """Fulfillment strategies by name."""

    def get(self, name: str) -> Strategy | None:
        """The strategy, or None."""
        ...

    def list(self) -> list[Strategy]:
        """Every strategy."""
        ...

    def save(self, strategy: Strategy) -> None:
        """Insert or replace the strategy."""
        ...

    def delete(self, name: str) -> None:
        """Remove the strategy."""
        ...


class AvailabilityReader(Protocol):
    """Available (on hand minus reserved) quantities per source and product."""

    def availability_map(
        self, product_ids: Sequence[str], source_ids: Sequence[str]
    ) -> dict[tuple[str, str], Decimal]:
        """Available quantity for every (source, product) pair asked for."""
        ...


class NoStrategy(NotFound):
    """No strategy applies to the order (none named, no default)."""


@dataclass
class OptimizerPlanner:
    """Implements SourcingPlanner with the hub's optimizer."""

    strategies: StrategyRepository
    sources: Callable[[], list[FulfillmentSource]]
    availability: AvailabilityReader
    preferences: PreferenceStore
    clock: Clock
    capacity: CapacityLedger

    def determine(self, order: SalesOrder, open_quantities: dict[str, Decimal]) -> Determination:
        """Allocations for the open quantities, with the planner's reasons as notes."""
        try:
            plan = self.plan(order, open_quantities)
        except NoStrategy as err:
            return Determination([], failure=str(err))
        allocations = [
            Allocation(line.line_id, line.product_id, a.source_id, a.quantity)
            for line in plan.lines
            for a in line.allocations
        ]
        notes = [f"strategy {plan.strategy}"] + [
            f"line {line.line_id} {line.status.value.lower()}: {'; '.join(line.reasons[:3])}"
            for line in plan.lines
        ]
        return Determination(allocations, notes)

    def plan(self, order: SalesOrder, open_quantities: dict[str, Decimal]) -> FulfillmentPlan:
        """The plan for the open quantities of an order (reserves nothing)."""
        lines = [
            PlanningLine(line_id=i, product_id=order.line(i).product_id, quantity=q)
            for i, q in open_quantities.items()
        ]
        return self.plan_lines(
            order.order_id, _location(order.ship_to), lines, order.fulfillment_strategy
        )

    def plan_lines(
        self,
        order_id: str,
        ship_to: GeoPoint | None,
        lines: list[PlanningLine],
        strategy: str | None,
    ) -> FulfillmentPlan:
        """A plan for arbitrary lines (what-if)."""
        chosen, by_name = self._strategy(strategy)
        products = sorted({line.product_id for line in lines if line.product_id is not None})
        sources = self.sources()
        available = self.availability.availability_map(products, [s.source_id for s in sources])
        now = self.clock.now()
        request = PlanningRequest(order_id=order_id, ship_to=ship_to, lines=lines, at=now)
        snapshot = Snapshot(sources, available, self.capacity.lines_on(now.date()))
        return plan_fulfillment(request, snapshot, chosen, by_name)

    def _strategy(self, name: str | None) -> tuple[Strategy, dict[str, Strategy]]:
        by_name = {s.name: s for s in self.strategies.list()}
        wanted = name or self.preferences.load().default_strategy
        if wanted is not None:
            if wanted not in by_name:
                raise NoStrategy(f"fulfillment strategy {wanted!r} does not exist")
            return by_name[wanted], by_name
        default = next((s for s in by_name.values() if s.is_default), None)
        if default is None:
            raise NoStrategy("no fulfillment strategy is marked default; create one")
        return default, by_name


def _location(address: Address) -> GeoPoint | None:
    if address.latitude is None or address.longitude is None:
        return None
    return GeoPoint(latitude=address.latitude, longitude=address.longitude)
