"""Reading rows the Web API way: `$filter`, `$orderby`, `$select`, `$expand` and server paging."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.filters import FilterSyntaxError, compile_filter
from simulators.sales.schema import lookups, table
from simulators.sales.store import SalesStore, etag
from simulators.sales.wire import (
    INVALID_ARGUMENT,
    Entity,
    EntityError,
    filterable,
    parse_expand,
    parse_orderby,
    to_hub_filter,
)


@dataclass(frozen=True)
class Options:
    """The query options of one GET."""

    filter: str | None = None
    orderby: str | None = None
    select: list[str] | None = None
    expand: dict[str, list[str] | None] | None = None
    top: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Options:
        """Options from the request's query string."""
        select = args.get("$select")
        expand = args.get("$expand")
        top = args.get("$top")
        if top is not None and not top.isdigit():
            raise EntityError(400, INVALID_ARGUMENT, f"Invalid $top {top!r}")
        return cls(
            filter=args.get("$filter") or None,
            orderby=args.get("$orderby") or None,
            select=select.split(",") if select else None,
            expand=parse_expand(expand) if expand else None,
            top=None if top is None else int(top),
        )


def matching(store: SalesStore, entity_set: str, options: Options) -> list[Entity]:
    """The rows of a table that pass `$filter`, in `$orderby` order, cut at `$top`."""
    rows = store.rows(entity_set)
    if options.filter:
        try:
            compiled = compile_filter(to_hub_filter(options.filter))
        except FilterSyntaxError as err:
            raise EntityError(400, INVALID_ARGUMENT, f"Invalid $filter: {err}") from err
        paths = any("/" in name for name in compiled.fields)
        rows = [row for row in rows if compiled.matches(_record(store, entity_set, row, paths))]
    for name, descending in reversed(parse_orderby(options.orderby or "")):
        rows.sort(key=_by(name), reverse=descending)
    return rows if options.top is None else rows[: options.top]


def project(
    store: SalesStore,
    entity_set: str,
    row: Mapping[str, Any],
    select: list[str] | None,
    expand: Mapping[str, list[str] | None] | None,
) -> Entity:
    """The row as the Web API returns it: its ETag, the selected columns, expanded lookups."""
    key = table(entity_set).key
    shown: Entity = {"@odata.etag": etag(row)}
    shown.update(
        (name, value) for name, value in row.items() if select is None or name in (*select, key)
    )
    navigations = lookups(entity_set)
    for navigation, columns in (expand or {}).items():
        lookup = navigations.get(navigation)
        if lookup is None:
            raise EntityError(
                400,
                INVALID_ARGUMENT,
                f"Could not find a property named "
                f"'{navigation}' on type '{table(entity_set).logical_name}'",
            )
        target = store.referenced(lookup, row)
        shown[navigation] = (
            None if target is None else project(store, lookup.target, target, columns, None)
        )
    return shown


def _record(store: SalesStore, entity_set: str, row: Entity, paths: bool) -> dict[str, Any]:
    """The row for the filter; with `paths`, also `<navigation>/<column>` of each lookup."""
    record = filterable(row)
    if paths:
        for navigation, lookup in lookups(entity_set).items():
            target = store.referenced(lookup, row) or {}
            for column, value in filterable(target).items():
                record[f"{navigation}/{column}"] = value
    return record


def _by(name: str) -> Callable[[Entity], tuple[int, Any]]:
    return lambda row: _sort_key(row.get(name))


def _sort_key(value: object) -> tuple[int, Any]:
    """Nulls first, then values of one type by their order (strings of dates sort as text)."""
    if value is None:
        return (0, 0)
    if isinstance(value, datetime):
        return (1, value.isoformat())
    return (1, value)
