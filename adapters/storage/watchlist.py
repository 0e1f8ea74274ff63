"""The InvoiceWatchlist on Table Storage: orders awaiting their invoice, by next check time.

Layout of the InvoiceWatchlist table:
- partition `due`, RowKey `<due at stamp>|<order id>`: `due` is one range read of the rows
  before its cutoff, earliest first, at most `limit` of them;
- partition `order`, RowKey `<order id>` (escaped): a pointer naming the order's live due row
  and when the order was first watched, so `add` and `reschedule` move it without a scan.

Order of writes when a row moves: the new due row, then the pointer, then the old row's
delete. A crash leaves at worst a due row the pointer does not name; the sweep reads it, and
`reschedule` or `remove` deletes it, so no order is ever lost and strays do not linger.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.storage.backorders import stamp
from adapters.storage.entities import Entity, EntityValue, UpdateMode
from adapters.storage.keys import escape_key, join_key
from adapters.storage.limits import MAX_PAGE_SIZE
from adapters.storage.table import Table
from services.inbound_orders import WatchedOrder

WATCHLIST_TABLE = "InvoiceWatchlist"
DUE_PARTITION = "due"
POINTER_PARTITION = "order"


class TableInvoiceWatchlist:
    """Watched orders in one due-time partition, with a pointer row per order."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def add(self, order_id: str, due_at: datetime, added_at: datetime) -> None:
        """Watch the order from `due_at`; a re-add moves the check and keeps the first added_at."""
        pointer = self._table.get(POINTER_PARTITION, escape_key(order_id))
        first = _time(pointer, "AddedAt") if pointer is not None else _utc(added_at)
        self._move(order_id, _row(pointer), due_at, first)

    def due(self, before: datetime, limit: int) -> list[WatchedOrder]:
        """Up to `limit` orders whose check is due before the time, earliest first."""
        rows: list[Entity] = []
        continuation: str | None = None
        while len(rows) < limit:
            page = self._table.query_page(
                DUE_PARTITION, row_key_before=stamp(before), continuation=continuation,
                page_size=min(limit - len(rows), MAX_PAGE_SIZE),
            )  # fmt: skip
            rows.extend(page.entities)
            if (continuation := page.continuation) is None:
                break
        return [_watched(row) for row in rows[: max(limit, 0)]]

    def reschedule(self, watched: WatchedOrder, due_at: datetime) -> None:
        """Move the order's next check; an entry its pointer no longer names is deleted."""
        pointer = self._table.get(POINTER_PARTITION, escape_key(watched.order_id))
        row_key = due_row_key(watched.order_id, watched.due_at)
        if pointer is None or _row(pointer) != row_key:
            self._table.delete(DUE_PARTITION, row_key)
            return
        self._move(watched.order_id, row_key, due_at, _time(pointer, "AddedAt"))

    def remove(self, watched: WatchedOrder) -> None:
        """Drop the entry, and the order's pointer when it names this entry."""
        row_key = due_row_key(watched.order_id, watched.due_at)
        self._table.delete(DUE_PARTITION, row_key)
        pointer = self._table.get(POINTER_PARTITION, escape_key(watched.order_id))
        if pointer is not None and _row(pointer) == row_key:
            self._table.delete(POINTER_PARTITION, escape_key(watched.order_id), pointer.etag)

    def _move(self, order_id: str, old: str | None, due_at: datetime, added_at: datetime) -> None:
        new = due_row_key(order_id, due_at)
        columns: dict[str, EntityValue] = {
            "OrderId": order_id,
            "DueAt": _utc(due_at),
            "AddedAt": added_at,
        }
        self._table.upsert(Entity(DUE_PARTITION, new, columns), UpdateMode.REPLACE)
        pointer: dict[str, EntityValue] = {"DueRow": new, "AddedAt": added_at}
        self._table.upsert(
            Entity(POINTER_PARTITION, escape_key(order_id), pointer), UpdateMode.REPLACE
        )
        if old is not None and old != new:
            self._table.delete(DUE_PARTITION, old)


def due_row_key(order_id: str, due_at: datetime) -> str:
    """RowKey of an order's due row."""
    return join_key(stamp(due_at), order_id)


def _row(pointer: Entity | None) -> str | None:
    return None if pointer is None else str(pointer.properties["DueRow"])


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _time(row: Entity, name: str) -> datetime:
    value = row.properties[name]
    if not isinstance(value, datetime):
        raise TypeError(f"watchlist row {row.row_key!r} has no {name}")
    return value


def _watched(row: Entity) -> WatchedOrder:
    return WatchedOrder(
        order_id=str(row.properties["OrderId"]),
        due_at=_time(row, "DueAt"),
        added_at=_time(row, "AddedAt"),
    )
