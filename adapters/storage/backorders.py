"""The BackorderIndex on Table Storage: held lines by product (FCFS) and by due time.

Layout of the BackorderIndex table (key parts escaped by `join_key`, so `|` only separates):
- partition `product|<product id>`, RowKey `<ordered at>|<priority>|<order id>|<line id>`:
  ascending key order is first come, first served (order date, then priority 1 first), so
  `held` is one range read of one partition. Priorities are written as three digits (0-999;
  anything outside sorts with the nearest bound, the row keeps the true value).
- partitions `due|00`..`due|07` (crc32 of the order id, so one order's lines share a shard),
  RowKey `<due at>|<order id>|<line id>`: `due` reads only the rows before its cutoff, at most
  `limit` from each shard, and merges them. The shard count is fixed for good: `due` reads
  shards 0..7, so lowering it would strand rows.
- partition `line|<order id>`, RowKey `<line id>`: a pointer to the two rows the line was
  last indexed under, so `remove` (and an `add` that moves the line) find them without a scan.
Times are UTC stamps (`YYYYMMDDTHHMMSSffffffZ`, fixed width, so text order is time order);
a naive time is taken as UTC. Quantities are stored as decimal text, so they stay exact.

Order of writes: `add` writes the new rows, then deletes rows of an earlier indexing that
moved, then the pointer; `remove` deletes the rows, then the pointer. A crash leaves at worst
a stale entry (harmless: the job checks the order before acting), never a held line that no
index row names.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from decimal import Decimal

from adapters.storage.entities import Entity, EntityValue, UpdateMode
from adapters.storage.keys import escape_key, join_key
from adapters.storage.limits import MAX_PAGE_SIZE
from adapters.storage.table import Table
from services.backorder_index import HeldLine, HoldKind

BACKORDER_INDEX_TABLE = "BackorderIndex"
# Fixed for good: `due` reads shards 0..N-1, so lowering N would strand index rows.
DUE_SHARDS = 8
MAX_PRIORITY_KEY = 999

RowAddress = tuple[str, str]


class TableBackorderIndex:
    """Held lines in a partition per product and a few due-time shards, with a pointer per line."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def add(self, line: HeldLine) -> None:
        """Index the line; adding it again replaces (and, if its keys changed, moves) it."""
        pointer = self._table.get(*pointer_address(line.order_id, line.line_id))
        rows = index_addresses(line)
        columns = _columns(line)
        for partition, row_key in rows:
            self._table.upsert(Entity(partition, row_key, columns), UpdateMode.REPLACE)
        for partition, row_key in sorted(_recorded(pointer) - set(rows)):
            self._table.delete(partition, row_key)
        (product_pk, product_rk), (due_pk, due_rk) = rows
        recorded: dict[str, EntityValue] = {
            "ProductPartition": product_pk, "ProductRow": product_rk,
            "DuePartition": due_pk, "DueRow": due_rk,
        }  # fmt: skip
        pointer_pk, pointer_rk = pointer_address(line.order_id, line.line_id)
        self._table.upsert(Entity(pointer_pk, pointer_rk, recorded), UpdateMode.REPLACE)

    def held(self, product_id: str, limit: int) -> list[HeldLine]:
        """Lines held for the product, oldest order first, then by priority (1 first)."""
        return [_held_line(row) for row in self._read(product_partition(product_id), None, limit)]

    def due(self, before: datetime, limit: int) -> list[HeldLine]:
        """Lines whose due time is before the given time, earliest first."""
        cutoff = stamp(before)
        found: list[Entity] = []
        for shard in range(DUE_SHARDS):
            found.extend(self._read(due_partition(shard), cutoff, limit))
        found.sort(key=lambda row: row.row_key)
        return [_held_line(row) for row in found[: max(limit, 0)]]

    def remove(self, line: HeldLine) -> None:
        """Drop the line from both indexes (missing entries are fine)."""
        address = pointer_address(line.order_id, line.line_id)
        rows = _recorded(self._table.get(*address)) | set(index_addresses(line))
        for partition, row_key in sorted(rows):
            self._table.delete(partition, row_key)
        self._table.delete(*address)

    def _read(self, partition: str, before: str | None, limit: int) -> list[Entity]:
        """Up to `limit` rows of a partition in key order (below `before` when given)."""
        rows: list[Entity] = []
        continuation: str | None = None
        while len(rows) < limit:
            page = self._table.query_page(
                partition, row_key_before=before, continuation=continuation,
                page_size=min(limit - len(rows), MAX_PAGE_SIZE),
            )  # fmt: skip
            rows.extend(page.entities)
            if (continuation := page.continuation) is None:
                break
        return rows


def stamp(at: datetime) -> str:
    """The instant as fixed-width UTC text whose text order is time order."""
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return (
        f"{utc.year:04d}{utc.month:02d}{utc.day:02d}T{utc.hour:02d}{utc.minute:02d}"
        f"{utc.second:02d}{utc.microsecond:06d}Z"
    )


def product_partition(product_id: str) -> str:
    """PartitionKey of a product's held lines."""
    return join_key("product", product_id)


def due_partition(shard: int) -> str:
    """PartitionKey of a due-time shard."""
    return join_key("due", f"{shard:02d}")


def due_shard(order_id: str) -> int:
    """The due-time shard of an order's lines."""
    return zlib.crc32(order_id.encode("utf-8")) % DUE_SHARDS


def pointer_address(order_id: str, line_id: str) -> RowAddress:
    """(PartitionKey, RowKey) of the row remembering where a line is indexed."""
    return join_key("line", order_id), escape_key(line_id)


def index_addresses(line: HeldLine) -> tuple[RowAddress, RowAddress]:
    """(product row, due row) the line is indexed under."""
    priority = f"{min(max(line.priority, 0), MAX_PRIORITY_KEY):03d}"
    product_row = join_key(stamp(line.ordered_at), priority, line.order_id, line.line_id)
    due_row = join_key(stamp(line.due_at), line.order_id, line.line_id)
    return (
        (product_partition(line.product_id), product_row),
        (due_partition(due_shard(line.order_id)), due_row),
    )


def _recorded(pointer: Entity | None) -> set[RowAddress]:
    """The rows a pointer says the line was last indexed under."""
    if pointer is None:
        return set()
    props = pointer.properties
    return {
        (str(props["ProductPartition"]), str(props["ProductRow"])),
        (str(props["DuePartition"]), str(props["DueRow"])),
    }


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _columns(line: HeldLine) -> dict[str, EntityValue]:
    return {
        "OrderId": line.order_id,
        "LineId": line.line_id,
        "ProductId": line.product_id,
        "Quantity": str(line.quantity),
        "OrderedAt": _utc(line.ordered_at),
        "Priority": line.priority,
        "HeldAt": _utc(line.held_at),
        "Kind": line.kind.value,
        "DueAt": _utc(line.due_at),
    }


def _held_line(row: Entity) -> HeldLine:
    props = row.properties
    priority = props["Priority"]
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise TypeError(f"index row {row.row_key!r} has no priority")
    return HeldLine(
        order_id=str(props["OrderId"]),
        line_id=str(props["LineId"]),
        product_id=str(props["ProductId"]),
        quantity=Decimal(str(props["Quantity"])),
        ordered_at=_time(row, "OrderedAt"),
        priority=priority,
        held_at=_time(row, "HeldAt"),
        kind=HoldKind(str(props["Kind"])),
        due_at=_time(row, "DueAt"),
    )


def _time(row: Entity, name: str) -> datetime:
    value = row.properties[name]
    if not isinstance(value, datetime):
        raise TypeError(f"index row {row.row_key!r} has no {name}")
    return value
