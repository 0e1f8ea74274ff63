"""Write-in and unknown products: with no stock records, stock is assumed; priority decides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.inventory.sources import FulfillmentSource
from domain.sourcing import reasons
from domain.sourcing.constraints import Rules
from domain.sourcing.state import LineState


@dataclass(frozen=True)
class Placement:
    """A write-in line placed whole at one source, with the reason."""

    line: LineState
    source_id: str
    quantity: Decimal
    reason: str


@dataclass(frozen=True)
class Room:
    """Where write-ins may go: eligible sources, their distances, lines they may still take."""

    eligible: list[str]  # nearest first
    sources: Mapping[str, FulfillmentSource]
    slots: dict[str, int | None]  # after the stocked lines of the pass
    used: set[str]  # sources the order ships from, the stocked lines of the pass included
    penalty: Decimal


def place_write_ins(lines: list[LineState], rules: Rules, room: Room) -> list[Placement]:
    """Place each line at the best-priority eligible source; when a new source costs a
    penalty, prefer a source the order already ships from."""
    placements: list[Placement] = []
    for line in lines:
        options = _options(line, rules, room)
        if not options:
            continue
        # room.eligible is nearest first, so min() keeps the nearest of equal priority.
        by_priority = min(options, key=lambda sid: room.sources[sid].priority)
        consolidate = room.penalty > 0
        chosen = min(
            options,
            key=lambda sid: (consolidate and sid not in room.used, room.sources[sid].priority),
        )
        has_id = line.line.product_id is not None
        why = (
            reasons.write_in(chosen, room.sources[chosen].priority, has_id)
            if chosen == by_priority
            else reasons.write_in_shared(chosen, has_id)
        )
        placements.append(Placement(line, chosen, line.unfilled, why))
        room.used.add(chosen)
        slot = room.slots[chosen]
        if slot is not None and chosen not in line.takes:  # a line already there adds no line
            room.slots[chosen] = slot - 1
    return placements


def _options(line: LineState, rules: Rules, room: Room) -> list[str]:
    if rules.line_limit is not None and len(line.takes) >= rules.line_limit:
        return []
    order_full = rules.order_limit is not None and len(room.used) >= rules.order_limit
    return [
        sid
        for sid in room.eligible
        if _has_slot(room, sid, line) and (sid in room.used or not order_full)
    ]


def _has_slot(room: Room, source_id: str, line: LineState) -> bool:
    slot = room.slots[source_id]
    return slot is None or slot > 0 or source_id in line.takes
