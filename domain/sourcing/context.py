"""Facts a strategy's passes share, and the screen of its source list for one pass."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.inventory.sources import FulfillmentSource
from domain.sourcing import reasons
from domain.sourcing.constraints import Rules, Screen, Situation, screen
from domain.sourcing.distance import haversine_km
from domain.sourcing.model import Constraint, PlanningRequest, Snapshot, Strategy
from domain.sourcing.state import PlanState


@dataclass(frozen=True)
class Context:
    """Facts every pass shares: the request, the snapshot and each source's distance."""

    request: PlanningRequest
    snapshot: Snapshot
    sources: dict[str, FulfillmentSource]
    distances: dict[str, float | None]

    @classmethod
    def of(cls, request: PlanningRequest, snapshot: Snapshot) -> Context:
        """Index the sources and measure each one's distance to the ship-to once."""
        ship_to = request.ship_to
        sources = {s.source_id: s for s in snapshot.sources}
        distances = {
            sid: None if ship_to is None else haversine_km(s.location, ship_to)
            for sid, s in sources.items()
        }
        return cls(request, snapshot, sources, distances)

    def stocked(self, product_id: str | None) -> bool:
        """True when some source keeps stock records of the product (else it is unknown)."""
        available = self.snapshot.available
        return product_id is not None and any((s, product_id) in available for s in self.sources)

    def nearest_first(self, source_ids: list[str]) -> list[str]:
        """Sources by distance, then priority (1 first), then id; by priority without ship-to."""
        return sorted(source_ids, key=self._order)

    def _order(self, source_id: str) -> tuple[float, int, str]:
        return (self.distances[source_id] or 0.0, self.sources[source_id].priority, source_id)


@dataclass(frozen=True)
class Pass:
    """A strategy's pass: the rules in force and the soft constraints it relaxed."""

    strategy: Strategy
    rules: Rules
    relaxed: list[Constraint] = field(default_factory=list)


def screen_list(ctx: Context, step: Pass, state: PlanState) -> Screen:
    """Eligible sources of the strategy's list for this pass, and why the others are not."""
    listed: list[FulfillmentSource] = []
    excluded: dict[str, str] = {}
    for sid in dict.fromkeys(step.strategy.source_list.source_ids):
        source = ctx.sources.get(sid)
        if source is None:
            excluded[sid] = reasons.unknown_source(sid)
        elif not source.active:
            excluded[sid] = reasons.deactivated(sid)
        else:
            listed.append(source)
    situation = Situation(
        at=ctx.request.at,
        source_list=step.strategy.source_list,
        distances=ctx.distances,
        lines_today=ctx.snapshot.lines_planned_today,
        lines_in_plan=state.lines_at(),
    )
    shown = screen(listed, step.rules, situation)
    return Screen(shown.eligible, excluded | shown.excluded, shown.blind)
