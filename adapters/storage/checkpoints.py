"""The CheckpointStore on Table Storage.

Layout of the Checkpoints table: one row per checkpoint, PartitionKey `checkpoint`, RowKey the
escaped name, column `At` the instant as ISO-8601 text in UTC (text keeps every microsecond,
which a Table datetime would round). A naive time is taken as UTC, as everywhere in the hub.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.storage.entities import Entity, UpdateMode
from adapters.storage.keys import escape_key
from adapters.storage.table import Table

CHECKPOINTS_TABLE = "Checkpoints"
CHECKPOINT_PARTITION = "checkpoint"


class TableCheckpointStore:
    """Named points in time, one row each."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, name: str) -> datetime | None:
        """The stored point, or None when none was stored."""
        row = self._table.get(CHECKPOINT_PARTITION, escape_key(name))
        if row is None:
            return None
        value = row.properties.get("At")
        if not isinstance(value, str):
            raise TypeError(f"checkpoint {name!r} has no At")
        return datetime.fromisoformat(value).astimezone(UTC)

    def set(self, name: str, at: datetime) -> None:
        """Store (replace) the point."""
        moment = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        columns = {"Name": name, "At": moment.isoformat()}
        entity = Entity(CHECKPOINT_PARTITION, escape_key(name), columns)
        self._table.upsert(entity, UpdateMode.REPLACE)
