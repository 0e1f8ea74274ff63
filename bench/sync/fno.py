"""The F&O simulator with indexed key lookups, so its cost does not grow with what it holds.

The stock simulator answers a `$filter` query by viewing and testing every stored row, and finds
an order's lines by scanning every line: fine for tests, quadratic over 10,000 orders, while F&O
answers a key lookup from an index. Here a query whose filter is exactly the entity's key starts
from the rows with that key, and an order's lines come from a per-order index; the simulator's
own code still filters, pages and shapes the answer, so what the hub receives is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from simulators.fno.app import FnoSimulator
from simulators.fno.entities import EntitySet
from simulators.fno.fields import Entity
from simulators.fno.odata import Collection, page
from simulators.fno.service import DataService
from simulators.fno.store import ChangeListener, FnoStore
from simulators.fno.wire import json_response

_KEY_CLAUSE = re.compile(r"(\w+) eq (?:'((?:[^']|'')*)'|(-?\d+))")
OrderKey = tuple[str, str]  # (dataAreaId, SalesOrderNumber)


@dataclass
class IndexedFnoStore(FnoStore):
    """The simulator's store with its lines indexed by order and by creation sequence."""

    _lines_of: dict[OrderKey, list[tuple[str, str]]] = field(default_factory=dict)
    _line_at: dict[tuple[str, str, int], tuple[str, str]] = field(default_factory=dict)

    def index(self, kind: str, row: Entity) -> None:
        """Note a new line (called on every change, under the store's lock)."""
        if kind != "line":
            return
        area, number = row["dataAreaId"], row["SalesOrderNumber"]
        sequence = (area, number, int(row["LineCreationSequenceNumber"]))
        if sequence not in self._line_at:
            self._line_at[sequence] = (area, row["InventoryLotId"])
            self._lines_of.setdefault((area, number), []).append(self._line_at[sequence])

    def order_lines(self, area: str, number: str) -> list[Entity]:
        """The lines of one order in creation order (from the index, not a scan)."""
        with self.lock:
            return [self.lines[key] for key in self._lines_of.get((area, number), [])]

    def keyed(self, kind: str, key: Mapping[str, Any]) -> list[Entity]:
        """The stored header or line with this entity key, if any."""
        area, number = str(key["dataAreaId"]), str(key["SalesOrderNumber"])
        with self.lock:
            if kind == "header":
                header = self.headers.get((area, number))
                return [] if header is None else [header]
            at = self._line_at.get((area, number, int(key["LineCreationSequenceNumber"])))
            return [] if at is None else [self.lines[at]]


class IndexedDataService(DataService):
    """`/data` with key-equality queries (what the sync's find sends) served from the index."""

    store: IndexedFnoStore

    def __init__(self, store: IndexedFnoStore, page_size: int) -> None:
        super().__init__(store, page_size)
        self.store = store

    def _query(self, request: Request, entity_set: EntitySet) -> Response:
        key = _key_of(request.args.get("$filter"), entity_set)
        if key is None or entity_set.kind not in ("header", "line"):
            return super()._query(request, entity_set)
        rows = [entity_set.view(row) for row in self.store.keyed(entity_set.kind, key)]
        where = Collection(
            entity_set.name, request.base_url,
            f"{request.host_url}data/$metadata#{entity_set.name}",
            self.store.default_company, self.page_size,
        )  # fmt: skip
        return json_response(page(rows, request.args, where), 200)


def index_lookups(fno: FnoSimulator) -> None:
    """Give a fresh simulator the indexed store and data service (before it holds anything)."""
    store = IndexedFnoStore(default_company=fno.store.default_company)
    store.unreleased = set(fno.store.unreleased)
    store.on_change = _both(store.index, fno.changes.publish)
    fno.store = store
    fno.data = IndexedDataService(store, fno.data.page_size)


def _both(first: ChangeListener, second: ChangeListener) -> ChangeListener:
    def listener(kind: str, row: Entity) -> None:
        first(kind, row)
        second(kind, row)

    return listener


def _key_of(expression: str | None, entity_set: EntitySet) -> dict[str, Any] | None:
    """The key an `a eq 'x' and b eq 2` filter names, when it names exactly the entity key."""
    if not expression:
        return None
    key: dict[str, Any] = {}
    for clause in expression.split(" and "):
        match = _KEY_CLAUSE.fullmatch(clause.strip())
        if match is None:
            return None
        name, text, number = match.groups()
        key[name] = int(number) if number is not None else text.replace("''", "'")
    return key if sorted(key) == sorted(entity_set.key) else None
