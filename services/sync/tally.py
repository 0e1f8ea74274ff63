"""Counts of one unit of sync work per map, flushed to the status store once at the end."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from services.sync.ports import MapStatus, SyncStatusStore

Outcome = Literal["synced", "failed", "skipped", "echoes", "conflicts"]
SHARDS = 8


def shard_of(record_id: str) -> int:
    """The status shard of a record: stable across processes, spread over SHARDS rows."""
    return zlib.crc32(record_id.encode()) % SHARDS


@dataclass
class Tally:
    """What happened to each map while syncing one record (an order and its lines)."""

    record_id: str
    at: datetime
    counts: dict[str, MapStatus] = field(default_factory=dict)

    def count(self, map_name: str, outcome: Outcome, error: str | None = None) -> None:
        """Count one outcome on the map; a failure's message becomes the map's last error."""
        status = self.counts.setdefault(map_name, MapStatus(map_name, last_run_at=self.at))
        setattr(status, outcome, getattr(status, outcome) + 1)
        if error is not None:
            status.last_error = error

    def flush(self, store: SyncStatusStore) -> None:
        """Add the counts to the store: one write per map that did something.

        Every order change passes through every map; most are filtered out or have nothing new,
        and writing that to the status rows would add two storage requests per map to every
        order save. So `skipped` counts only the records skipped in runs that also sent, failed,
        echoed or resolved a conflict on that map.
        """
        for status in self.counts.values():
            if status.synced or status.failed or status.echoes or status.conflicts:
                store.add(status, shard_of(self.record_id))
