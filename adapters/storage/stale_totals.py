"""The StaleTotalsIndex on Table Storage: orders whose totals may be stale, oldest mark first.

Layout of the StaleTotals table (key parts escaped by `join_key`, so `|` only separates):
- partitions `stale|00`..`stale|07` (crc32 of the order id), RowKey `<marked at>|<order id>`:
  `stale` reads at most `limit` rows from each shard, merges them by key (time order, as the
  stamp is fixed-width UTC text) and keeps the oldest. The shard count is fixed for good:
  `stale` reads shards 0..7, so lowering it would strand rows.
- partitions `order|00`..`order|07` (the same shard), RowKey `<order id>`: a pointer naming
  the order's live stale row, so `mark` keeps an order's first mark and `clear` finds its row
  without a scan.

Order of writes: `mark` inserts the pointer (insert-if-absent, so concurrent marks agree on
one row), then upserts the row it names; a mark that finds a pointer re-upserts its row, which
also repairs a crash between the two writes. `clear` deletes the row, then the pointer. A row
no pointer names (a mark racing a clear) is a stray: `stale` skips and deletes it; the job
looks at the order again after clearing, so such a race never loses a stale order.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

from adapters.storage.backorders import stamp
from adapters.storage.entities import Entity, EntityValue, UpdateMode
from adapters.storage.keys import escape_key, join_key
from adapters.storage.limits import MAX_PAGE_SIZE
from adapters.storage.table import Table
from services.errors import EntityAlreadyExists
from services.ports import Clock

STALE_TOTALS_TABLE = "StaleTotals"
# Fixed for good: `stale` reads shards 0..N-1, so lowering N would strand index rows.
SHARDS = 8
# Attempts to agree on an order's row while marks and clears of it race.
MARK_ATTEMPTS = 3

RowAddress = tuple[str, str]


class TableStaleTotalsIndex:
    """Stale orders in a few time-ordered shards, with a pointer row per marked order."""

    def __init__(self, table: Table, clock: Clock) -> None:
        self._table = table
        self._clock = clock

    def mark(self, order_ids: Sequence[str]) -> None:
        """Index the orders; an order already marked keeps its first mark (idempotent)."""
        for order_id in dict.fromkeys(order_ids):
            row_key, marked_at = self._pointed_row(order_id)
            columns: dict[str, EntityValue] = {"OrderId": order_id, "MarkedAt": marked_at}
            entity = Entity(stale_partition(shard(order_id)), row_key, columns)
            self._table.upsert(entity, UpdateMode.REPLACE)

    def stale(self, limit: int) -> list[str]:
        """Up to `limit` marked order ids, oldest mark first."""
        rows: list[Entity] = []
        for number in range(SHARDS):
            rows.extend(self._read(stale_partition(number), limit))
        rows.sort(key=lambda row: row.row_key)
        found: dict[str, None] = {}
        for row in rows:
            if len(found) >= limit:
                break
            order_id = str(row.properties["OrderId"])
            if self._named(order_id, row.row_key):
                found[order_id] = None
            else:
                self._table.delete(row.partition_key, row.row_key)  # a stray: see the module doc
        return list(found)

    def clear(self, order_ids: Sequence[str]) -> None:
        """Drop the orders' marks (missing ones are fine)."""
        for order_id in dict.fromkeys(order_ids):
            address = pointer_address(order_id)
            pointer = self._table.get(*address)
            if pointer is None:
                continue
            self._table.delete(stale_partition(shard(order_id)), _row_key(pointer))
            self._table.delete(*address)

    def _pointed_row(self, order_id: str) -> tuple[str, datetime]:
        """The row key and mark time the order's pointer names, inserting one if none does."""
        address = pointer_address(order_id)
        for _ in range(MARK_ATTEMPTS):
            pointer = self._table.get(*address)
            if pointer is not None:
                return _row_key(pointer), _marked_at(pointer)
            now = _utc(self._clock.now())
            row_key = stale_row_key(order_id, now)
            columns: dict[str, EntityValue] = {"Row": row_key, "MarkedAt": now}
            try:
                self._table.insert(Entity(*address, columns))
            except EntityAlreadyExists:
                continue  # a concurrent mark won: use the row its pointer names
            return row_key, now
        raise EntityAlreadyExists(f"stale totals mark of order {order_id} kept racing; retry")

    def _named(self, order_id: str, row_key: str) -> bool:
        pointer = self._table.get(*pointer_address(order_id))
        return pointer is not None and _row_key(pointer) == row_key

    def _read(self, partition: str, limit: int) -> list[Entity]:
        """Up to `limit` rows of a partition in key order."""
        rows: list[Entity] = []
        continuation: str | None = None
        while len(rows) < limit:
            page = self._table.query_page(
                partition, continuation=continuation,
                page_size=min(limit - len(rows), MAX_PAGE_SIZE),
            )  # fmt: skip
            rows.extend(page.entities)
            if (continuation := page.continuation) is None:
                break
        return rows


def shard(order_id: str) -> int:
    """The shard of an order's stale row and pointer."""
    return zlib.crc32(order_id.encode("utf-8")) % SHARDS


def stale_partition(number: int) -> str:
    """PartitionKey of a shard of stale rows."""
    return join_key("stale", f"{number:02d}")


def stale_row_key(order_id: str, marked_at: datetime) -> str:
    """RowKey of an order's stale row: mark time first, so key order is time order."""
    return join_key(stamp(marked_at), order_id)


def pointer_address(order_id: str) -> RowAddress:
    """(PartitionKey, RowKey) of the row naming the order's live stale row."""
    return join_key("order", f"{shard(order_id):02d}"), escape_key(order_id)


def _row_key(pointer: Entity) -> str:
    return str(pointer.properties["Row"])


def _marked_at(pointer: Entity) -> datetime:
    value = pointer.properties["MarkedAt"]
    if not isinstance(value, datetime):
        raise TypeError(f"stale totals pointer {pointer.row_key!r} has no MarkedAt")
    return value


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at
