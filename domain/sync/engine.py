"""Apply a sync map to one record, source to target (`apply_forward`) or back (`apply_back`).

Only columns whose symbol flows in that direction are written, and only when the record holds
the column's field (a partial update writes only what it carries). A value map or a named
transform turns the value; a column's default fills a blank value, and the map's create
defaults are written, only when the record is being created on the other side.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.filters import FilterValue, compile_filter
from domain.sync.maps import ColumnMap, SyncMap, ValueMap
from domain.sync.transforms import TRANSFORMS, Transform

Record = dict[str, FilterValue]


class SyncError(ValueError):
    """A record the map cannot carry: an unknown value in a strict value map or transform."""


def passes_filter(sync_map: SyncMap, record: Mapping[str, FilterValue]) -> bool:
    """True when the map is enabled and the source record satisfies its source filter."""
    if not sync_map.enabled:
        return False
    if sync_map.source_filter is None:
        return True
    return compile_filter(sync_map.source_filter).matches(record)


def apply_forward(
    sync_map: SyncMap,
    record: Mapping[str, FilterValue],
    *,
    creating: bool = False,
    transforms: Mapping[str, Transform] = TRANSFORMS,
) -> Record:
    """The target record for a source record, through the columns that flow forward."""
    out: Record = {}
    for column in sync_map.columns:
        if not column.forward or (column.source not in record and not creating):
            continue
        value = record.get(column.source)
        if column.value_map is not None:
            value = map_forward(sync_map.value_map(column.value_map), value)
        elif column.transform is not None:
            value = _transform(transforms, column.transform, value, record)
        out[column.target] = _defaulted(column, value, creating=creating)
    if creating:
        _fill(out, sync_map.defaults_to_target)
    return out


def apply_back(
    sync_map: SyncMap,
    record: Mapping[str, FilterValue],
    *,
    creating: bool = False,
    transforms: Mapping[str, Transform] = TRANSFORMS,
) -> Record:
    """The source record for a target record, through the columns that flow back."""
    out: Record = {}
    for column in sync_map.columns:
        if not column.back or (column.target not in record and not creating):
            continue
        value = record.get(column.target)
        if column.value_map is not None:
            value = map_back(sync_map.value_map(column.value_map), value)
        elif column.transform_back is not None:
            value = _transform(transforms, column.transform_back, value, record)
        out[column.source] = _defaulted(column, value, creating=creating)
    if creating:
        _fill(out, sync_map.defaults_to_source)
    return out


def map_forward(value_map: ValueMap, value: FilterValue) -> FilterValue:
    """A source value through the value map; blank takes the map's default."""
    if _blank(value):
        return value_map.default
    for source, target in value_map.pairs:
        if _same(value_map, source, value):
            return target
    return _unknown(value_map, value, value_map.default)


def map_back(value_map: ValueMap, value: FilterValue) -> FilterValue:
    """A target value back through a reversible value map; blank takes the map's back default."""
    if _blank(value):
        return value_map.default_back
    for source, target in value_map.pairs:
        if _same(value_map, target, value):
            return source
    return _unknown(value_map, value, value_map.default_back)


def _unknown(value_map: ValueMap, value: FilterValue, default: FilterValue = None) -> FilterValue:
    if value_map.on_unknown == "pass":
        return value
    if value_map.on_unknown == "default":
        return default
    raise SyncError(f"value map {value_map.name!r} has no value for {value!r}")


def _same(value_map: ValueMap, mapped: FilterValue, value: FilterValue) -> bool:
    if isinstance(mapped, bool) != isinstance(value, bool):
        return False
    if value_map.case_insensitive and isinstance(mapped, str) and isinstance(value, str):
        return mapped.casefold() == value.casefold()
    return mapped == value


def _transform(
    transforms: Mapping[str, Transform],
    name: str,
    value: FilterValue,
    record: Mapping[str, FilterValue],
) -> FilterValue:
    try:
        transform = transforms[name]
    except KeyError:
        raise SyncError(f"no transform named {name!r}") from None
    return transform(value, record)


def _defaulted(column: ColumnMap, value: FilterValue, *, creating: bool) -> FilterValue:
    if creating and _blank(value) and column.default is not None:
        return column.default
    return value


def _fill(out: Record, defaults: Mapping[str, FilterValue]) -> None:
    for field, value in defaults.items():
        if _blank(out.get(field)):
            out[field] = value


def _blank(value: FilterValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
