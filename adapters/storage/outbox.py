"""Outbox rows staged in the state's own partition, indexed by time in a few shard partitions.

Layout:
- source table, the state's partition: RowKey `outbox|<message id>` with Queue, Type, Data,
  OccurredAt and, once published, SentAt. It commits in the same transaction as the state.
  (Key parts are escaped by `join_key`, so `|` only ever separates them.)
- `OutboxIndex`: PartitionKey = shard (crc32 of table and partition, so all index rows of one
  commit share a shard and go in one batch), RowKey = `<staged at>|<table>|<partition>|<id>` so
  the sweeper reads only rows older than its cutoff, never the whole history.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from adapters.storage.entities import (
    MAX_BATCH_OPERATIONS,
    Delete,
    Entity,
    EntityValue,
    Insert,
    Operation,
    Update,
    Upsert,
)
from adapters.storage.keys import join_key
from adapters.storage.table import Table
from services.errors import ConcurrencyConflict
from services.outbox import OutboxEntry, OutboxMessage, OutboxRecord
from services.ports import Clock

INDEX_TABLE = "OutboxIndex"
# Fixed for good: the sweeper reads shards 0..N-1, so lowering N would strand index rows.
INDEX_SHARDS = 8
ROW_PREFIX = "outbox"
_STAMP = "%Y%m%dT%H%M%S%fZ"
_T = TypeVar("_T")


def outbox_row_key(message_id: str) -> str:
    """RowKey of a message's row in its source partition."""
    return join_key(ROW_PREFIX, message_id)


class TableOutbox:
    """Stages messages with state changes and implements the services' OutboxStore port."""

    def __init__(
        self, tables: Callable[[str], Table], clock: Clock, index_table: str = INDEX_TABLE
    ) -> None:
        self._tables = tables
        self._clock = clock
        self._index_table = index_table

    def stage(
        self,
        table: Table,
        partition_key: str,
        operations: Sequence[Operation],
        messages: Sequence[OutboxMessage],
    ) -> list[OutboxRecord]:
        """Commit operations plus outbox rows in one transaction; return the records to relay.

        The index rows go first: if we die after them, the sweeper finds no outbox row and
        drops them; the reverse order could leave a committed message nobody would ever send.
        """
        if not messages:
            if operations:
                table.submit(operations)
            return []
        staged_at = self._clock.now()
        entries = [_entry(table.name, partition_key, m.message_id, staged_at) for m in messages]
        self._tables(self._index_table).submit([Upsert(_index_entity(e)) for e in entries])
        rows = [Insert(_outbox_entity(partition_key, m)) for m in messages]
        table.submit([*operations, *rows])
        return [OutboxRecord(message=m, entry=e) for m, e in zip(messages, entries, strict=True)]

    def due(self, staged_before: datetime, limit: int) -> list[OutboxEntry]:
        """Index entries staged before the cutoff, oldest first."""
        cutoff = staged_before.strftime(_STAMP)
        found: list[OutboxEntry] = []
        index = self._tables(self._index_table)
        for shard in range(INDEX_SHARDS):
            page = index.query_page(_shard_key(shard), row_key_before=cutoff, page_size=limit)
            found.extend(_entry_from(e) for e in page.entities)
        return sorted(found, key=lambda e: e.row_key)[:limit]

    def load(self, entry: OutboxEntry) -> OutboxRecord | None:
        """The message behind an index entry, or None if its commit never happened."""
        row = self._tables(entry.table).get(entry.partition_key, outbox_row_key(entry.message_id))
        if row is None:
            return None
        sent_at = row.properties.get("SentAt")
        return OutboxRecord(
            message=_message_from(row),
            entry=entry,
            sent_at=sent_at if isinstance(sent_at, datetime) else None,
        )

    def mark_sent(self, records: Sequence[OutboxRecord], sent_at: datetime) -> None:
        """Set SentAt on each message's row, one batch per source partition."""
        groups: dict[tuple[str, str], list[Operation]] = defaultdict(list)
        for record in records:
            entry = record.entry
            row = Entity(entry.partition_key, outbox_row_key(entry.message_id), {"SentAt": sent_at})
            groups[(entry.table, entry.partition_key)].append(Update(row))
        for (table_name, _), operations in groups.items():
            for chunk in _chunks(operations):
                self._tables(table_name).submit(chunk)

    def forget(self, entries: Sequence[OutboxEntry]) -> None:
        """Delete index rows; a concurrent relay may have deleted some already."""
        index = self._tables(self._index_table)
        by_shard: dict[str, list[Delete]] = defaultdict(list)
        for entry in entries:
            by_shard[entry.shard].append(Delete(entry.shard, entry.row_key))
        for deletes in by_shard.values():
            for chunk in _chunks(deletes):
                try:
                    index.submit(chunk)
                except ConcurrencyConflict:
                    # One row was already gone, which fails the whole batch; go row by row.
                    for delete in chunk:
                        index.delete(delete.partition_key, delete.row_key)


def _chunks(items: list[_T]) -> Iterable[list[_T]]:
    for start in range(0, len(items), MAX_BATCH_OPERATIONS):
        yield items[start : start + MAX_BATCH_OPERATIONS]


def _shard_key(shard: int) -> str:
    return f"{shard:02d}"


def _entry(table: str, partition_key: str, message_id: str, staged_at: datetime) -> OutboxEntry:
    shard = zlib.crc32(f"{table}|{partition_key}".encode()) % INDEX_SHARDS
    row_key = join_key(staged_at.strftime(_STAMP), table, partition_key, message_id)
    return OutboxEntry(_shard_key(shard), row_key, table, partition_key, message_id)


def _index_entity(entry: OutboxEntry) -> Entity:
    properties = {
        "SourceTable": entry.table,
        "SourcePartition": entry.partition_key,
        "MessageId": entry.message_id,
    }
    return Entity(entry.shard, entry.row_key, properties)


def _entry_from(row: Entity) -> OutboxEntry:
    props = row.properties
    return OutboxEntry(
        shard=row.partition_key,
        row_key=row.row_key,
        table=str(props["SourceTable"]),
        partition_key=str(props["SourcePartition"]),
        message_id=str(props["MessageId"]),
    )


def _outbox_entity(partition_key: str, message: OutboxMessage) -> Entity:
    properties: dict[str, EntityValue] = {
        "Kind": "outbox",
        "MessageId": message.message_id,
        "Queue": message.queue,
        "Type": message.type,
        "Data": json.dumps(message.data, separators=(",", ":")),
        "OccurredAt": message.occurred_at,
        "DelaySeconds": message.delay_seconds,
    }
    return Entity(partition_key, outbox_row_key(message.message_id), properties)


def _message_from(row: Entity) -> OutboxMessage:
    props = row.properties
    return OutboxMessage(
        message_id=str(props["MessageId"]),
        queue=str(props["Queue"]),
        type=str(props["Type"]),
        data=json.loads(str(props["Data"])),
        occurred_at=props["OccurredAt"],  # type: ignore[arg-type]  # validated by pydantic
        delay_seconds=int(str(props.get("DelaySeconds", 0))),
    )
