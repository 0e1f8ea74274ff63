"""Writing record columns back onto hub models: a table of writable columns and value parsers.

A `Writable` names the model attribute a column sets (a path such as `ship_to.city`) and how a
wire value becomes the model's value. `apply_columns` writes only values that differ by
`canonical` (so 10, "10.00" and Decimal("10.0") are no change) and reports what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from domain.filters import FilterValue
from domain.sync.engine import SyncError
from domain.sync.values import canonical

ModelValue = FilterValue | date
Parse = Callable[[FilterValue], ModelValue]


@dataclass(frozen=True)
class Writable:
    """A column the back direction may set: the model path, the parser, and if None is allowed."""

    path: tuple[str, ...]
    parse: Parse
    nullable: bool = True


def apply_columns(
    model: BaseModel,
    table: Mapping[str, Writable],
    fields: Mapping[str, FilterValue],
    factories: Mapping[str, Callable[[], BaseModel]] | None = None,
) -> list[str]:
    """Set the writable columns among `fields`; the names of the columns that changed a value."""
    changed: list[str] = []
    for column, value in fields.items():
        writable = table.get(column)
        if writable is None:
            continue  # read-only or unknown to the hub: the target's business
        new = writable.parse(value)
        if new is None and not writable.nullable:
            continue  # a blank cannot clear a required field
        if canonical(_get(model, writable.path)) == canonical(new):
            continue
        if _set(model, writable.path, new, factories or {}):
            changed.append(column)
    return changed


def _get(model: BaseModel, path: tuple[str, ...]) -> ModelValue:
    current: Any = model
    for name in path:
        if current is None:
            return None
        current = getattr(current, name)
    value: ModelValue = current
    return value


def _set(
    model: BaseModel,
    path: tuple[str, ...],
    value: ModelValue,
    factories: Mapping[str, Callable[[], BaseModel]],
) -> bool:
    owner: Any = model
    for name in path[:-1]:
        child = getattr(owner, name)
        if child is None:
            if name not in factories:
                return False  # e.g. totals the hub has not calculated yet
            child = factories[name]()
            setattr(owner, name, child)
        owner = child
    setattr(owner, path[-1], value)
    return True


def text(value: FilterValue) -> str | None:
    """Trimmed text; blank is None."""
    if value is None:
        return None
    result = str(value).strip()
    return result or None


def decimal(value: FilterValue) -> Decimal | None:
    """An exact Decimal (floats through their shortest text); blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise SyncError(f"not an amount: {value!r}")
    try:
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise SyncError(f"not an amount: {value!r}") from None


def amount(value: FilterValue) -> Decimal:
    """An amount where blank means zero (a discount, a charge, a tax)."""
    return decimal(value) or Decimal(0)


def day(value: FilterValue) -> date | None:
    """A calendar date from a datetime (its UTC day), a date or ISO text; blank is None."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    raw = text(value)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise SyncError(f"not a date: {value!r}") from None


def flag(value: FilterValue) -> bool | None:
    """A boolean from true/false or Yes/No text; blank is None."""
    if value is None or isinstance(value, bool):
        return value
    raw = str(value).strip().casefold()
    if raw in ("true", "yes", "1"):
        return True
    if raw in ("false", "no", "0"):
        return False
    raise SyncError(f"not a yes/no value: {value!r}")


def moment(value: date | None) -> datetime | None:
    """A date as midnight UTC, the filter language's only date type."""
    return None if value is None else datetime.combine(value, time(), tzinfo=UTC)
