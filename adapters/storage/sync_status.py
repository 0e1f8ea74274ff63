"""SyncStatusStore and SyncCursors on Table Storage: small rows, ETag-guarded and retried.

Layout of the SyncStatus table: PartitionKey = escaped map name, RowKey = shard number
zero-padded to 3, columns Synced, Failed, Skipped, Echoes, Conflicts (Int64), LastRunAt and
LastError. Workers add to the row of their shard (read, add, replace on the ETag read, retried
on conflict), so concurrent workers rarely meet, and `get` is one partition query summing them.
A shard outside 0..shards-1 is taken modulo the shard count, so a reader always finds it.
LastError is cut to 16,384 characters. Both stores retry a lost race with jittered backoff and
raise LinkConflict only after `attempts` (30: sixteen threads on one row got through on Azurite).

Layout of the SyncCursors table: partition `cursor`, RowKey = escaped map name, columns MapName
and Watermark (a datetime; a naive time is taken as UTC). `advance` writes only a later
watermark, conditionally on the ETag read, so two pollers can never move it back.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from datetime import datetime

from adapters.storage.entities import Entity, EntityValue, UpdateMode
from adapters.storage.keys import escape_key
from adapters.storage.sync_links import as_utc, bounded_key, cut_message
from adapters.storage.table import Table
from services.errors import ConcurrencyConflict
from services.sync.ports import LinkConflict, MapStatus

SYNC_STATUS_TABLE = "SyncStatus"
SYNC_CURSORS_TABLE = "SyncCursors"
CURSOR_PARTITION = "cursor"
ATTEMPTS = 30
COUNTS = {
    "synced": "Synced",
    "failed": "Failed",
    "skipped": "Skipped",
    "echoes": "Echoes",
    "conflicts": "Conflicts",
}


class TableSyncStatusStore:
    """Per-map counts in a partition per map, a row per shard."""

    def __init__(self, table: Table, shards: int = 8, *, attempts: int = ATTEMPTS) -> None:
        if shards < 1 or attempts < 1:
            raise ValueError("shards and attempts must be at least 1")
        self._table = table
        self._shards = shards
        self._attempts = attempts

    def add(self, status: MapStatus, shard: int) -> None:
        """Add the counts to the shard's row; keep the later last_run_at and its last_error."""
        partition, row_key = status_partition(status.map_name), shard_key(shard % self._shards)
        for attempt in range(self._attempts):
            row = self._table.get(partition, row_key)
            stored = MapStatus(status.map_name) if row is None else _status(status.map_name, row)
            entity = Entity(partition, row_key, _columns(_added(stored, status)))
            if _write_over(self._table, row, entity):
                return
            _back_off(attempt)  # another worker wrote the row first: reread and add again
        raise LinkConflict(f"status of map {status.map_name!r} stayed contended")

    def get(self, map_name: str) -> MapStatus:
        """The map's counts summed over shards (zeros when nothing ran yet)."""
        total = MapStatus(map_name)
        for row in self._table.query(status_partition(map_name)):
            total = _added(total, _status(map_name, row))
        return total


class TableSyncCursors:
    """Per-map watermarks, one row each in one partition."""

    def __init__(self, table: Table, *, attempts: int = ATTEMPTS) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self._table = table
        self._attempts = attempts

    def get(self, map_name: str) -> datetime | None:
        """The watermark, or None when the map was never polled."""
        row = self._table.get(CURSOR_PARTITION, cursor_key(map_name))
        return None if row is None else _watermark(row)

    def advance(self, map_name: str, watermark: datetime) -> None:
        """Move the watermark forward (never back)."""
        moment = as_utc(watermark)
        columns: dict[str, EntityValue] = {"MapName": map_name, "Watermark": moment}
        entity = Entity(CURSOR_PARTITION, cursor_key(map_name), columns)
        for attempt in range(self._attempts):
            row = self._table.get(entity.partition_key, entity.row_key)
            if row is not None and _watermark(row) >= moment:
                return
            if _write_over(self._table, row, entity):
                return
            _back_off(attempt)  # another poller moved it: reread and compare again
        raise LinkConflict(f"cursor of map {map_name!r} stayed contended")


def status_partition(map_name: str) -> str:
    """PartitionKey of a map's status shards."""
    return bounded_key(escape_key(map_name))


def shard_key(shard: int) -> str:
    """RowKey of a status shard."""
    return f"{shard:03d}"


def cursor_key(map_name: str) -> str:
    """RowKey of a map's cursor."""
    return bounded_key(escape_key(map_name))


def _added(stored: MapStatus, more: MapStatus) -> MapStatus:
    """The sum of the counts, with the later run (and that run's error)."""
    counts = {name: getattr(stored, name) + getattr(more, name) for name in COUNTS}
    later = more if _is_later(more.last_run_at, stored.last_run_at) else stored
    return MapStatus(
        stored.map_name, **counts, last_run_at=later.last_run_at, last_error=later.last_error
    )


def _is_later(candidate: datetime | None, than: datetime | None) -> bool:
    """Whether `candidate` is the later run; with nothing recorded yet, take what comes."""
    if than is None:
        return True
    return candidate is not None and as_utc(candidate) >= as_utc(than)


def _columns(status: MapStatus) -> dict[str, EntityValue]:
    columns: dict[str, EntityValue] = {"MapName": status.map_name}
    columns.update({column: getattr(status, name) for name, column in COUNTS.items()})
    if status.last_run_at is not None:
        columns["LastRunAt"] = as_utc(status.last_run_at)
    if status.last_error is not None:
        columns["LastError"] = cut_message(status.last_error)
    return columns


def _status(map_name: str, row: Entity) -> MapStatus:
    props = row.properties
    counts = {name: _count(props.get(column, 0)) for name, column in COUNTS.items()}
    last_run_at = props.get("LastRunAt")
    last_error = props.get("LastError")
    return MapStatus(
        map_name,
        **counts,
        last_run_at=last_run_at if isinstance(last_run_at, datetime) else None,
        last_error=None if last_error is None else str(last_error),
    )


def _count(value: EntityValue) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"a status count is {type(value).__name__}, not int")
    return value


def _watermark(row: Entity) -> datetime:
    value = row.properties["Watermark"]
    if not isinstance(value, datetime):
        raise TypeError(f"cursor row {row.row_key!r} has no Watermark")
    return value


def _write_over(table: Table, read: Entity | None, entity: Entity) -> bool:
    """Insert, or replace the row read if unchanged; False when another writer came first."""
    try:
        if read is None:
            table.insert(entity)
        else:
            table.update(replace(entity, etag=read.etag), UpdateMode.REPLACE)
    except ConcurrencyConflict:  # EntityAlreadyExists included
        return False
    return True


def _back_off(attempt: int) -> None:
    """Sleep a random while that grows with the attempts, so contenders spread out."""
    time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))  # noqa: S311 (jitter, not secrets)
