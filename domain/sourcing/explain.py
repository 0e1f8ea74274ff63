"""Turn one pass's choices into reasons on the lines: exclusions, choices, splits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.sourcing import reasons
from domain.sourcing.constraints import Rules
from domain.sourcing.state import LineState


@dataclass(frozen=True)
class PassView:
    """What a pass saw and decided, for explaining it to operators."""

    ids: list[str]  # eligible sources, nearest first (the optimizer's source indices)
    distances: list[float | None]  # None: no ship-to location
    priorities: list[int]
    rules: Rules
    open_mask: int  # sources the optimizer opened
    slots_left: list[int | None]  # daily lines each source may still take after the pass
    sources_in_order: int  # distinct sources the order ships from after the pass


def exclusions(
    line: LineState,
    excluded: Mapping[str, str],
    available: Mapping[tuple[str, str], Decimal],
    assumed: bool,
) -> None:
    """Note each excluded source that would otherwise have had stock for the line (any
    source, when stock is assumed for a write-in or unknown product)."""
    product = line.line.product_id
    for source_id, why in excluded.items():
        if assumed or product is None or available.get((source_id, product), Decimal(0)) > 0:
            line.note(why)


def choices(
    line: LineState,
    view: PassView,
    row: tuple[tuple[int, Decimal], ...],
    remaining: Mapping[int, Decimal],
    takes: list[tuple[int, Decimal]],
) -> None:
    """Note why each source of the line was chosen, and why the line was split."""
    mine = {view.ids.index(s) for s in line.takes if s in view.ids} | {s for s, _ in takes}
    for position, (source, _) in enumerate(takes):
        nearer = [s for s, _ in row if s < source and s not in mine]
        if nearer:
            line.note(_over_nearer(view, source, nearer[0], remaining, len(takes)))
        else:
            first = position == 0 and not line.takes
            distance, priority = view.distances[source], view.priorities[source]
            line.note(reasons.nearest(view.ids[source], distance, priority, first))
    if len(takes) > 1:
        wanted = line.line.quantity
        whole = next((view.ids[s] for s, left in row if left >= wanted), None)
        line.note(reasons.split(len(takes), wanted, whole))


def _over_nearer(
    view: PassView, source: int, nearer: int, remaining: Mapping[int, Decimal], count: int
) -> str:
    why = _why_not(view, nearer, remaining, count)
    return reasons.over_nearer(view.ids[source], view.distances[source], view.ids[nearer], why)


def _why_not(view: PassView, nearer: int, remaining: Mapping[int, Decimal], count: int) -> str:
    """Why a nearer source with stock did not ship (more of) the line."""
    order_limit, line_limit = view.rules.order_limit, view.rules.line_limit
    slots = view.slots_left[nearer]
    if remaining.get(nearer, Decimal(0)) <= 0:
        return "as its stock went to other lines"
    if not view.open_mask >> nearer & 1:
        if order_limit is not None and view.sources_in_order >= order_limit:
            return f"to stay within {reasons.sources(order_limit)} per order"
        return "to ship from fewer sources"
    if slots is not None and slots <= 0:
        return "as it has no daily line capacity left"
    if line_limit is not None and count >= line_limit:
        return f"to keep the line within {reasons.sources(line_limit)}"
    return "to ship from fewer sources"
