"""The constraints in force for a pass, and which sources they leave eligible (IOM F4, F5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.inventory.sources import FulfillmentSource, SourceList
from domain.sourcing import reasons
from domain.sourcing.model import Constraint, ConstraintKind

K = ConstraintKind
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Rules:
    """The enabled constraints of one pass, merged: the strictest of each kind wins."""

    max_distance: bool = False
    distance_km: Decimal | None = None
    no_partial: bool = False
    order_limit: int | None = None
    line_limit: int | None = None
    respect_cutoff: bool = False
    daily_capacity: bool = False
    safety_stock: bool = False

    @classmethod
    def of(cls, constraints: Iterable[Constraint]) -> Rules:
        """Merge the constraints that apply in a pass."""
        kinds: dict[ConstraintKind, list[int | Decimal | None]] = {}
        for constraint in constraints:
            kinds.setdefault(constraint.kind, []).append(constraint.value)
        return cls(
            max_distance=K.MAX_DISTANCE in kinds,
            distance_km=_smallest(kinds.get(K.MAX_DISTANCE, [])),
            no_partial=K.NO_PARTIAL_ORDER in kinds,
            order_limit=_count(kinds.get(K.MAX_SOURCES_PER_ORDER, [])),
            line_limit=_count(kinds.get(K.MAX_SOURCES_PER_LINE, [])),
            respect_cutoff=K.RESPECT_CUTOFF in kinds,
            daily_capacity=K.DAILY_CAPACITY in kinds,
            safety_stock=K.SAFETY_STOCK in kinds,
        )


def _smallest(values: list[int | Decimal | None]) -> Decimal | None:
    given = [Decimal(v) for v in values if v is not None]
    return min(given) if given else None


def _count(values: list[int | Decimal | None]) -> int | None:
    given = [int(v) for v in values if v is not None]
    return min(given) if given else None


def passes(constraints: Iterable[Constraint]) -> tuple[list[Constraint], list[Constraint]]:
    """Pass 1 applies every enabled constraint; pass 2 only the hard ones (F5)."""
    enabled = [c for c in constraints if c.enabled]
    return enabled, [c for c in enabled if c.hard]


@dataclass(frozen=True)
class Screen:
    """Which sources a pass may use, and the reason each other source is left out."""

    eligible: dict[str, int | None] = field(default_factory=dict)  # source id -> slots left
    excluded: dict[str, str] = field(default_factory=dict)  # source id -> reason
    blind: frozenset[str] = frozenset()  # excluded only because the ship-to is unknown


@dataclass(frozen=True)
class Situation:
    """What the screen needs besides the rules: when, where, and today's line counts."""

    at: datetime
    source_list: SourceList
    distances: Mapping[str, float | None]  # None: no ship-to location
    lines_today: Mapping[str, int]
    lines_in_plan: Mapping[str, int]


def screen(sources: Iterable[FulfillmentSource], rules: Rules, situation: Situation) -> Screen:
    """Sort the source list's sources into eligible and excluded for one pass."""
    result = Screen()
    blind: set[str] = set()
    for source in sources:
        sid = source.source_id
        reason = _closed(source, situation.at) if rules.respect_cutoff else None
        limit = _distance_limit(source, rules, situation.source_list)
        distance = situation.distances.get(sid)
        if reason is None and limit is not None:
            reason = _too_far(sid, distance, limit)
            if distance is None:
                blind.add(sid)
        slots = _slots(source, situation) if rules.daily_capacity else None
        if reason is None and slots is not None and slots <= 0:
            reason = reasons.capacity_reached(sid, source.daily_line_capacity or 0)
        if reason is None:
            result.eligible[sid] = slots
        else:
            result.excluded[sid] = reason
    return Screen(result.eligible, result.excluded, frozenset(blind))


def _closed(source: FulfillmentSource, at: datetime) -> str | None:
    try:
        zone = ZoneInfo(source.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return reasons.unknown_time_zone(source.source_id, source.time_zone)
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    local = aware.astimezone(zone)
    if local.weekday() not in source.working_days:
        return reasons.not_working_day(source.source_id, WEEKDAYS[local.weekday()], zone.key)
    cutoff = source.cutoff_time
    if cutoff is not None and local.time().replace(tzinfo=None) >= cutoff.replace(tzinfo=None):
        return reasons.past_cutoff(source.source_id, cutoff, zone.key)
    return None


def _distance_limit(source: FulfillmentSource, rules: Rules, listed: SourceList) -> Decimal | None:
    # Where the constraint, the source and the source list all set a limit, the smallest wins.
    if not rules.max_distance:
        return None
    limits = [rules.distance_km, source.max_distance_km, listed.max_distance_km]
    given = [limit for limit in limits if limit is not None]
    return min(given) if given else None


def _too_far(source_id: str, distance: float | None, limit: Decimal) -> str | None:
    if distance is None:
        return reasons.distance_unknown(source_id, limit)
    return reasons.too_far(source_id, distance, limit) if distance > float(limit) else None


def _slots(source: FulfillmentSource, situation: Situation) -> int | None:
    capacity = source.daily_line_capacity
    if capacity is None:
        return None
    sid = source.source_id
    taken = situation.lines_today.get(sid, 0) + situation.lines_in_plan.get(sid, 0)
    return capacity - taken


def sellable(available: Decimal, source: FulfillmentSource, rules: Rules) -> Decimal:
    """What the pass may take from a source's stock: all of it, or what exceeds safety stock."""
    return available - source.safety_stock if rules.safety_stock else available
