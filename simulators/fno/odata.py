"""Reading an entity set as F&O's OData service does: company, `$filter`, `$orderby`, paging.

Without `cross-company=true` only the default company's rows answer. `$filter` is evaluated by
the hub's filter language after translating F&O's enum and datetime literals; `$top` caps the
result and the page size caps each page, the rest behind `@odata.nextLink`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from domain.filters import FilterSyntaxError, compile_filter
from simulators.fno.fields import Entity, EntityError
from simulators.fno.wire import filterable, to_hub_filter


@dataclass(frozen=True)
class Collection:
    """Where a collection is served: its set, URLs, default company and page size."""

    name: str
    base_url: str  # the request URL without its query, for the next link
    context: str  # the `@odata.context` value
    default_company: str
    page_size: int


def page(rows: list[Entity], args: Mapping[str, str], where: Collection) -> dict[str, Any]:
    """One page of the rows the query selects, with the next link when more remain."""
    if args.get("cross-company", "").lower() != "true":
        rows = [r for r in rows if r["dataAreaId"] == where.default_company]
    if expression := args.get("$filter"):
        try:
            compiled = compile_filter(to_hub_filter(expression))
        except FilterSyntaxError as err:
            raise EntityError(400, f"Invalid $filter: {err}") from err
        rows = [r for r in rows if compiled.matches(filterable(r))]
    if ordering := args.get("$orderby"):
        rows = ordered(rows, ordering)
    skip, top = int(args.get("$skip", 0)), args.get("$top")
    limit = len(rows) - skip if top is None else int(top)
    selected = rows[skip : skip + min(limit, where.page_size)]
    body: dict[str, Any] = {"@odata.context": where.context, "value": selected}
    remaining = min(limit, len(rows) - skip) - len(selected)
    if remaining > 0:
        query = {k: v for k, v in args.items() if k not in ("$skip", "$top")}
        query["$skip"] = str(skip + len(selected))
        if top is not None:
            query["$top"] = str(limit - len(selected))
        body["@odata.nextLink"] = f"{where.base_url}?{urlencode(query)}"
    return body


def ordered(rows: list[Entity], ordering: str) -> list[Entity]:
    """Rows sorted by `$orderby` (`Name [asc|desc], ...`); ties keep the order of change."""
    result = sorted(rows, key=_version)  # equal stamps: the earlier change first
    for term in reversed([t.split() for t in ordering.split(",") if t.strip()]):
        name, descending = term[0], len(term) > 1 and term[1].lower() == "desc"
        present = [r for r in result if r.get(name) is not None]
        absent = [r for r in result if r.get(name) is None]
        present.sort(key=lambda r: r[name], reverse=descending)
        result = absent + present if not descending else present + absent  # nulls lowest
    return result


def _version(row: Entity) -> int:
    tag = str(row.get("@odata.etag", 'W/"0"'))
    return int(tag.removeprefix('W/"').rstrip('"') or 0)
