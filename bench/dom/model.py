"""One order under one strategy, as plain floats for the baselines and the MILP, and its score."""

from __future__ import annotations

from dataclasses import dataclass

from bench.dom.generate import Instance
from domain.sourcing import FulfillmentPlan, PlanningRequest, Strategy
from domain.sourcing.constraints import Rules, passes
from domain.sourcing.distance import haversine_km

Assignment = list[list[tuple[str, float]]]  # per line: (source id, quantity)


@dataclass(frozen=True)
class OrderView:
    """What every solver sees of one order under one strategy."""

    lines: list[tuple[str, float]]  # (product, quantity)
    sources: list[str]  # eligible under the strategy, nearest first
    distance: dict[str, float]
    priority: dict[str, int]
    stock: dict[tuple[str, str], float]  # eligible sources, the order's products only
    penalty: float
    order_limit: int | None
    line_limit: int | None


def order_view(instance: Instance, order: PlanningRequest, strategy: Strategy) -> OrderView:
    """Eligible sources (distance limit applied), their distances and stock for the order."""
    assert order.ship_to is not None
    rules = Rules.of(passes(strategy.constraints)[0])
    limit = float(rules.distance_km) if rules.distance_km is not None else float("inf")
    distance = {s.source_id: haversine_km(s.location, order.ship_to) for s in instance.sources}
    priority = {s.source_id: s.priority for s in instance.sources}
    sources = sorted(
        (sid for sid, d in distance.items() if d <= limit),
        key=lambda sid: (distance[sid], priority[sid], sid),
    )
    lines = [(line.product_id or "", float(line.quantity)) for line in order.lines]
    stock = {
        (sid, product): float(instance.stock[(sid, product)])
        for sid in sources
        for product, _ in lines
        if (sid, product) in instance.stock
    }
    return OrderView(
        lines=lines,
        sources=sources,
        distance=distance,
        priority=priority,
        stock=stock,
        penalty=float(strategy.extra_source_penalty),
        order_limit=rules.order_limit,
        line_limit=rules.line_limit,
    )


def from_plan(plan: FulfillmentPlan) -> Assignment:
    """The planner's allocations as floats."""
    return [[(a.source_id, float(a.quantity)) for a in line.allocations] for line in plan.lines]


@dataclass(frozen=True)
class Outcome:
    """One order's result under the benchmark's objective."""

    filled: float
    unfilled: float
    cost: float  # distance x quantity + penalty x (sources - 1)
    sources: int
    split_lines: int  # lines shipped from more than one source
    breaks_limits: bool  # uses more sources per order or per line than the strategy allows


def outcome(view: OrderView, assignment: Assignment) -> Outcome:
    """Score an assignment the same way for every solver."""
    used = {sid for line in assignment for sid, q in line if q > 1e-9}
    filled = sum(q for line in assignment for _, q in line)
    distance = sum(view.distance[sid] * q for line in assignment for sid, q in line)
    splits = sum(1 for line in assignment if sum(1 for _, q in line if q > 1e-9) > 1)
    widest = max((sum(1 for _, q in line if q > 1e-9) for line in assignment), default=0)
    breaks = (view.order_limit is not None and len(used) > view.order_limit) or (
        view.line_limit is not None and widest > view.line_limit
    )
    return Outcome(
        filled=filled,
        unfilled=sum(q for _, q in view.lines) - filled,
        cost=distance + view.penalty * max(0, len(used) - 1),
        sources=len(used),
        split_lines=splits,
        breaks_limits=breaks,
    )
