"""Lines planned per source and day, for the optimizer's daily line capacity constraint.

One partition per UTC day; a row per (source, order line) so recording is an idempotent upsert
(a retried step counts its lines once) and a day's counts are one partition read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from adapters.storage.entities import Entity, Upsert
from adapters.storage.keys import escape_key, join_key, split_key
from adapters.storage.table import Table

CAPACITY_TABLE = "SourceCapacity"
_BATCH = 100


class TableCapacityLedger:
    """Implements the fulfillment CapacityLedger port."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def record(self, day: date, entries: Sequence[tuple[str, str]]) -> None:
        """Count each (source id, order line key) once for the day."""
        rows = [
            Upsert(Entity(_partition(day), join_key(source_id, line), {"SourceId": source_id}))
            for source_id, line in dict.fromkeys(entries)
        ]
        for start in range(0, len(rows), _BATCH):
            self._table.submit(rows[start : start + _BATCH])

    def lines_on(self, day: date) -> dict[str, int]:
        """Lines planned per source on the day."""
        counts: Counter[str] = Counter(
            split_key(row.row_key)[0] for row in self._table.query(_partition(day))
        )
        return dict(counts)


def _partition(day: date) -> str:
    return escape_key(day.strftime("%Y%m%d"))
