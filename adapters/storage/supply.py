"""The SupplyIndex on Table Storage: products that received supply, for the backorder job.

Layout of the SupplyIndex table: partition `supplied`, RowKey = escaped product id, with
ProductId and At (the latest supply). One small partition: the backorder release job reads a
page of it, never the Inventory table; a mark is one read and one write per supply event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.storage.entities import Entity, EntityValue, UpdateMode
from adapters.storage.keys import escape_key
from adapters.storage.table import Table
from services.errors import ConcurrencyConflict

SUPPLY_TABLE = "SupplyIndex"
SUPPLIED_PARTITION = "supplied"


class TableSupplyIndex:
    """Products that received supply, one row each in one partition."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def mark_supplied(self, product_id: str, at: datetime) -> None:
        """Note the supply; an earlier time never replaces a later one."""
        key = escape_key(product_id)
        columns: dict[str, EntityValue] = {"ProductId": product_id, "At": at}
        for _ in range(10):
            row = self._table.get(SUPPLIED_PARTITION, key)
            try:
                if row is None:
                    self._table.insert(Entity(SUPPLIED_PARTITION, key, columns))
                elif _at(row) < at:
                    self._table.update(
                        Entity(SUPPLIED_PARTITION, key, columns, row.etag), UpdateMode.REPLACE
                    )
            except ConcurrencyConflict:
                continue  # marked (or cleared) meanwhile: look again
            return
        raise ConcurrencyConflict(f"the supply mark of {product_id} keeps changing")

    def supplied_products(self, limit: int) -> list[str]:
        """Up to `limit` marked product ids, by escaped id."""
        found: list[str] = []
        continuation: str | None = None
        while len(found) < limit:
            page = self._table.query_page(
                SUPPLIED_PARTITION, page_size=min(limit - len(found), 1000),
                continuation=continuation,
            )  # fmt: skip
            found.extend(str(row.properties["ProductId"]) for row in page.entities)
            if (continuation := page.continuation) is None:
                break
        return found[:limit]

    def clear_supplied(self, product_ids: Sequence[str], up_to: datetime | None = None) -> None:
        """Unmark the products; with `up_to`, only marks made at or before it."""
        for product_id in product_ids:
            key = escape_key(product_id)
            if up_to is None:
                self._table.delete(SUPPLIED_PARTITION, key)
                continue
            row = self._table.get(SUPPLIED_PARTITION, key)
            if row is None or _at(row) > up_to:
                continue
            try:
                self._table.delete(SUPPLIED_PARTITION, key, row.etag)
            except ConcurrencyConflict:
                continue  # supplied again meanwhile: the new mark stays


def _at(row: Entity) -> datetime:
    at = row.properties["At"]
    if not isinstance(at, datetime):
        raise TypeError(f"row {row.row_key!r} has no time")
    return at
