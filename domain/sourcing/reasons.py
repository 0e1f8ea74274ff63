"""Operator-language reasons for every sourcing choice and exclusion."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from domain.sourcing.model import Constraint, ConstraintKind

K = ConstraintKind


def km(distance: float | Decimal) -> str:
    """A distance as operators read it: one decimal, none when whole ("12.4", "310")."""
    text = f"{float(distance):.1f}"
    return text.removesuffix(".0")


def qty(quantity: Decimal) -> str:
    """A quantity without trailing zeros or exponent ("12", "2.5")."""
    return f"{quantity.normalize():f}"


def sources(count: int) -> str:
    """The count in words: "one source", "3 sources"."""
    return "one source" if count == 1 else f"{count} sources"


def constraint_label(constraint: Constraint) -> str:
    """The constraint as an operator names it ("one source per order")."""
    value = constraint.value
    if constraint.kind is K.MAX_DISTANCE:
        return "maximum distance" if value is None else f"maximum distance {value} km"
    if constraint.kind in (K.MAX_SOURCES_PER_ORDER, K.MAX_SOURCES_PER_LINE):
        scope = "order" if constraint.kind is K.MAX_SOURCES_PER_ORDER else "line"
        limit = sources(int(value or 1))
        return f"{limit} per {scope}" if value == 1 else f"at most {limit} per {scope}"
    return {
        K.NO_PARTIAL_ORDER: "no partial orders",
        K.RESPECT_CUTOFF: "respect source timings",
        K.DAILY_CAPACITY: "daily line capacity",
        K.SAFETY_STOCK: "safety stock",
    }[constraint.kind]


def relaxed(constraint: Constraint) -> str:
    """A soft constraint dropped for the second pass."""
    return f"soft constraint '{constraint_label(constraint)}' relaxed in pass 2"


def unknown_source(source_id: str) -> str:
    """The source list names a source the snapshot does not have."""
    return f"{source_id} excluded: not a known fulfillment source"


def deactivated(source_id: str) -> str:
    """Deactivated sources are never chosen (F2)."""
    return f"{source_id} excluded: deactivated"


def too_far(source_id: str, distance: float, limit: Decimal) -> str:
    """Over the maximum distance."""
    return f"{source_id} excluded: {km(distance)} km is over the {km(limit)} km maximum distance"


def distance_unknown(source_id: str, limit: Decimal) -> str:
    """No ship-to location, so a maximum distance cannot be checked."""
    return (
        f"{source_id} excluded: no ship-to location, "
        f"so the {km(limit)} km maximum distance cannot be checked"
    )


def unknown_time_zone(source_id: str, zone: str) -> str:
    """A time zone that is not an IANA name, so the source's timings cannot be checked."""
    return f"{source_id} excluded: unknown time zone {zone!r}, timings cannot be checked"


def not_working_day(source_id: str, weekday: str, zone: str) -> str:
    """Closed today by its working calendar."""
    return f"{source_id} excluded: closed ({weekday} is not a working day in {zone})"


def past_cutoff(source_id: str, cutoff: time, zone: str) -> str:
    """Closed for today's orders: after the cut-off time."""
    return f"{source_id} excluded: closed (past {cutoff:%H:%M} cut-off in {zone})"


def capacity_reached(source_id: str, capacity: int) -> str:
    """The source has taken its daily number of lines."""
    return f"{source_id} excluded: daily line capacity {capacity} reached"


def below_safety_stock(source_id: str, available: Decimal, safety: Decimal) -> str:
    """Sellable stock is what exceeds safety stock; here nothing does."""
    relation = "at" if available == safety else "below"
    return (
        f"{source_id} excluded: {relation} safety stock "
        f"({qty(available)} available, safety stock {qty(safety)})"
    )


def nearest(source_id: str, distance: float | None, priority: int, first: bool) -> str:
    """The source was the nearest (or next nearest) eligible one with stock."""
    if distance is None:
        return f"{source_id}: chosen by priority {priority} (ship-to location unknown)"
    which = "nearest" if first else "next nearest"
    return f"{source_id}: {which} eligible source ({km(distance)} km)"


def over_nearer(source_id: str, distance: float | None, nearer: str, why: str) -> str:
    """The source was chosen although a nearer one had stock, and why."""
    where = "distance unknown" if distance is None else f"{km(distance)} km"
    return f"{source_id}: {where}, chosen over nearer {nearer} {why}"


def split(count: int, requested: Decimal, whole: str | None) -> str:
    """Why a line ships from several sources."""
    wanted = qty(requested)
    if whole is None:
        return f"split over {count} sources: no single source had {wanted}"
    return f"split over {count} sources: nearer stock first, though {whole} had all {wanted}"


def short(unfilled: Decimal, requested: Decimal) -> str:
    """Part of the line could not be sourced."""
    missing, wanted = qty(unfilled), qty(requested)
    return f"partially sourced: {missing} of {wanted} not available from eligible sources"


def not_sourced(product: str | None, any_stock: bool) -> str:
    """Nothing could be sourced for the line."""
    if product is None:
        return "not sourced: no eligible source can take the write-in product"
    if not any_stock:
        return f"not sourced: no eligible source has {product}"
    return f"not sourced: eligible stock of {product} could not be used within the constraints"


def all_or_nothing() -> str:
    """Partial orders are not allowed and the order cannot be sourced in full."""
    return "not sourced: the order cannot be fully sourced and partial orders are not allowed"


def _write_in_kind(has_product_id: bool) -> str:
    return "product without stock records" if has_product_id else "write-in product"


def write_in(source_id: str, priority: int, has_product_id: bool) -> str:
    """Write-in and unknown products assume unlimited stock and follow priority (F4)."""
    what = _write_in_kind(has_product_id)
    return f"{source_id}: {what}, placed by source priority {priority} (stock assumed)"


def write_in_shared(source_id: str, has_product_id: bool) -> str:
    """A write-in placed with the order's other lines rather than at a new source."""
    what = _write_in_kind(has_product_id)
    return f"{source_id}: {what}, shipped with the order's other lines (stock assumed)"


def blind() -> str:
    """No ship-to location and every source needs a distance check."""
    return "exception: no ship-to location, so no source can meet the maximum distance"


def invalid_quantity(quantity: Decimal) -> str:
    """A line that cannot be planned at all."""
    return f"exception: quantity {qty(quantity)} is not positive"


def alternate(name: str) -> str:
    """The line was left to the strategy's alternate."""
    return f"planned by alternate strategy '{name}'"


def alternate_missing(name: str) -> str:
    """The alternate strategy the strategy names does not exist."""
    return f"alternate strategy '{name}' not found"
