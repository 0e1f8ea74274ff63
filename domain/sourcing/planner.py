"""The fulfillment optimizer's entry point: a strategy, its two passes, then its alternates.

Pure and deterministic: the same request, snapshot and strategies give the same plan.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from domain.sourcing import reasons
from domain.sourcing.constraints import Rules, passes
from domain.sourcing.context import Context, Pass
from domain.sourcing.model import (
    Allocation,
    FulfillmentPlan,
    LinePlan,
    LineSourcing,
    PlanningLine,
    PlanningRequest,
    Snapshot,
    Strategy,
)
from domain.sourcing.stage import run_pass
from domain.sourcing.state import LineState, PlanState

PLACES = Decimal("0.001")  # distances and cost to the metre


def plan_fulfillment(
    request: PlanningRequest,
    snapshot: Snapshot,
    strategy: Strategy,
    strategies: Mapping[str, Strategy] | None = None,
) -> FulfillmentPlan:
    """Source the order's lines: the strategy's two passes, then its alternates for what is left."""
    ctx = Context.of(request, snapshot)
    state = PlanState([_start(line) for line in request.lines])
    count = 0
    for current in _chain(strategy, strategies or {}, state):
        count += _run_strategy(ctx, current, state)
    return _plan(ctx, strategy, state, count)


def _start(line: PlanningLine) -> LineState:
    state = LineState(line)
    if line.quantity <= 0:
        state.invalid = True
        state.note(reasons.invalid_quantity(line.quantity))
    return state


def _chain(
    strategy: Strategy, strategies: Mapping[str, Strategy], state: PlanState
) -> Iterator[Strategy]:
    """The strategy, then each alternate in turn while lines remain (lazily, as the plan grows)."""
    current: Strategy | None = strategy
    seen: set[str] = set()
    while current is not None and current.name not in seen and state.pending():
        if seen:
            for line in state.pending():
                line.note(reasons.alternate(current.name))
        seen.add(current.name)
        yield current
        name = current.alternate
        current = None if name is None else strategies.get(name)
        if name is not None and current is None:
            for line in state.pending():
                line.note(reasons.alternate_missing(name))


def _run_strategy(ctx: Context, strategy: Strategy, state: PlanState) -> int:
    """Pass 1 under every enabled constraint; pass 2 without the soft ones (F5)."""
    first, second = passes(strategy.constraints)
    run_pass(ctx, Pass(strategy, Rules.of(first)), state)
    soft = [constraint for constraint in first if not constraint.hard]
    if not soft or not state.pending():
        return 1
    run_pass(ctx, Pass(strategy, Rules.of(second), soft), state)
    return 2


def _plan(ctx: Context, strategy: Strategy, state: PlanState, count: int) -> FulfillmentPlan:
    lines = [_line_plan(ctx, line) for line in state.lines]
    used = ctx.nearest_first(sorted(state.sources_used()))
    cost = sum(
        ((a.distance_km or Decimal(0)) * a.quantity for line in lines for a in line.allocations),
        Decimal(0),
    )
    cost += strategy.extra_source_penalty * max(0, len(used) - 1)
    return FulfillmentPlan(
        order_id=ctx.request.order_id,
        strategy=strategy.name,
        lines=lines,
        total_cost=cost.quantize(PLACES),
        sources_used=used,
        passes=count,
    )


def _line_plan(ctx: Context, line: LineState) -> LinePlan:
    status = _status(line)
    return LinePlan(
        line_id=line.line.line_id,
        product_id=line.line.product_id,
        requested=line.line.quantity,
        status=status,
        allocations=[_allocation(ctx, sid, quantity) for sid, quantity in line.takes.items()],
        unfilled=Decimal(0) if line.invalid else line.unfilled,
        reasons=line.reasons,
    )


def _status(line: LineState) -> LineSourcing:
    """The line's fulfillment type, noting why it is short when it is."""
    if line.invalid:
        return LineSourcing.EXCEPTION
    if line.unfilled == 0:
        return LineSourcing.FULLY_SOURCED
    if line.takes:
        line.note(reasons.short(line.unfilled, line.line.quantity))
        return LineSourcing.PARTIALLY_SOURCED
    if line.blind:
        line.note(reasons.blind())
        return LineSourcing.EXCEPTION
    if line.held_back:
        line.note(reasons.all_or_nothing())
    else:
        line.note(reasons.not_sourced(line.line.product_id, line.saw_stock))
    return LineSourcing.NOT_SOURCED


def _allocation(ctx: Context, source_id: str, quantity: Decimal) -> Allocation:
    distance = ctx.distances[source_id]
    km = None if distance is None else Decimal(repr(distance)).quantize(PLACES)
    return Allocation(source_id=source_id, quantity=quantity, distance_km=km)
