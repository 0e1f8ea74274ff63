"""One pass of one strategy: screen the sources, optimise the stocked lines, place write-ins."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from domain.sourcing import explain
from domain.sourcing.constraints import Rules, Screen, sellable
from domain.sourcing.context import Context, Pass, screen_list
from domain.sourcing.problem import Need, Problem
from domain.sourcing.reasons import below_safety_stock, relaxed
from domain.sourcing.search import materialize, search
from domain.sourcing.state import LineState, PlanState
from domain.sourcing.writeins import Placement, Room, place_write_ins

Row = tuple[tuple[int, Decimal], ...]
Takes = list[tuple[int, Decimal]]


def run_pass(ctx: Context, step: Pass, state: PlanState) -> None:
    """Plan the pending lines under the pass's rules and add the result to the plan."""
    lines = state.pending()
    shown = screen_list(ctx, step, state)
    eligible = ctx.nearest_first(list(shown.eligible))
    stocked: list[LineState] = []
    others: list[LineState] = []
    for line in lines:
        line.held_back = False
        for constraint in step.relaxed:
            line.note(relaxed(constraint))
        known = ctx.stocked(line.line.product_id)
        explain.exclusions(line, shown.excluded, ctx.snapshot.available, assumed=not known)
        (stocked if known else others).append(line)
    problem, rows = _problem(ctx, step, state, eligible, shown, stocked)
    mask = search(problem).mask if problem.needs else 0
    placed = materialize(problem, mask) if problem.needs else []
    slots = _slots_after(shown, eligible, stocked, placed)
    used = state.sources_used() | {eligible[s] for takes in placed for s, _ in takes}
    penalty = step.strategy.extra_source_penalty
    writes = place_write_ins(others, step.rules, Room(eligible, ctx.sources, slots, used, penalty))
    if step.rules.no_partial and not _complete(stocked, placed, others, writes):
        for line in lines:
            line.held_back = True
        return
    view = explain.PassView(
        ids=eligible,
        distances=[ctx.distances[sid] for sid in eligible],
        priorities=[ctx.sources[sid].priority for sid in eligible],
        rules=step.rules,
        open_mask=mask,
        slots_left=[slots[sid] for sid in eligible],
        sources_in_order=len(used),
    )
    _settle_stocked(state, view, stocked, placed, rows, bool(shown.blind))
    _settle_write_ins(state, others, writes, bool(eligible), bool(shown.blind))


def _problem(
    ctx: Context,
    step: Pass,
    state: PlanState,
    eligible: list[str],
    shown: Screen,
    stocked: list[LineState],
) -> tuple[Problem, dict[str, Row]]:
    rules = step.rules
    index = {sid: i for i, sid in enumerate(eligible)}
    products = list(dict.fromkeys(line.line.product_id or "" for line in stocked))
    rows = {product: _row(ctx, state, rules, eligible, product, stocked) for product in products}
    used = state.sources_used()
    order_limit = rules.order_limit
    if order_limit is not None:
        order_limit -= len(used - index.keys())  # sources used outside this list still count
    problem = Problem(
        distances=tuple(ctx.distances[sid] or 0.0 for sid in eligible),
        priorities=tuple(ctx.sources[sid].priority for sid in eligible),
        source_ids=tuple(eligible),
        stock=tuple(rows[p] for p in products),
        needs=tuple(_need(line, rules, products, index) for line in stocked),
        penalty=float(step.strategy.extra_source_penalty),
        free=sum(1 << index[sid] for sid in used if sid in index),
        order_limit=order_limit,
        slots=tuple(shown.eligible[sid] for sid in eligible),
    )
    return problem, rows


def _row(
    ctx: Context,
    state: PlanState,
    rules: Rules,
    eligible: list[str],
    product: str,
    stocked: list[LineState],
) -> Row:
    """Sellable stock of the product at each eligible source, nearest first."""
    row: list[tuple[int, Decimal]] = []
    for i, sid in enumerate(eligible):
        available = ctx.snapshot.available.get((sid, product))
        left = None if available is None else available - state.consumed.get((sid, product), 0)
        if left is None or left <= 0:
            continue
        source = ctx.sources[sid]
        sell = sellable(left, source, rules)
        if sell > 0:
            row.append((i, sell))
            continue
        why = below_safety_stock(sid, left, source.safety_stock)
        for line in stocked:
            if line.line.product_id == product:
                line.note(why)
    return tuple(row)


def _need(line: LineState, rules: Rules, products: list[str], index: Mapping[str, int]) -> Need:
    limit = rules.line_limit
    return Need(
        product=products.index(line.line.product_id or ""),
        quantity=line.unfilled,
        prior=sum(1 << index[sid] for sid in line.takes if sid in index),
        # Sources from earlier passes count toward the line's limit.
        limit=None if limit is None else max(0, limit - len(line.takes)),
    )


def _slots_after(
    shown: Screen, eligible: list[str], stocked: list[LineState], placed: list[Takes]
) -> dict[str, int | None]:
    slots = dict(shown.eligible)
    for line, takes in zip(stocked, placed, strict=True):
        for source, _ in takes:
            sid = eligible[source]
            if (left := slots[sid]) is not None and sid not in line.takes:
                slots[sid] = left - 1
    return slots


def _complete(
    stocked: list[LineState], placed: list[Takes], others: list[LineState], writes: list[Placement]
) -> bool:
    filled = all(
        sum((q for _, q in takes), Decimal(0)) >= line.unfilled
        for line, takes in zip(stocked, placed, strict=True)
    )
    return filled and len(writes) == len(others)


def _settle_stocked(
    state: PlanState,
    view: explain.PassView,
    stocked: list[LineState],
    placed: list[Takes],
    rows: dict[str, Row],
    blind: bool,
) -> None:
    remaining = {product: dict(row) for product, row in rows.items()}
    for line, takes in zip(stocked, placed, strict=True):
        for source, quantity in takes:
            remaining[line.line.product_id or ""][source] -= quantity
    for line, takes in zip(stocked, placed, strict=True):
        product = line.line.product_id or ""
        explain.choices(line, view, rows[product], remaining[product], takes)
        for source, quantity in takes:
            state.take(line, view.ids[source], quantity)
        line.saw_stock = bool(rows[product])
        line.blind = not takes and not rows[product] and blind


def _settle_write_ins(
    state: PlanState,
    others: list[LineState],
    writes: list[Placement],
    any_eligible: bool,
    blind: bool,
) -> None:
    for placement in writes:
        state.take(placement.line, placement.source_id, placement.quantity)
        placement.line.note(placement.reason)
    placed = {id(placement.line) for placement in writes}
    for line in others:
        line.saw_stock = any_eligible
        line.blind = id(line) not in placed and not any_eligible and blind
