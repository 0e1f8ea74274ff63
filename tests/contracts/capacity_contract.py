"""One behaviour for the capacity ledger on MemoryTable and on Azurite."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from adapters.storage.capacity import TableCapacityLedger
from adapters.storage.table import Table

DAY, NEXT = date(2026, 11, 23), date(2026, 11, 24)


class CapacityContract:
    """Subclasses provide `make_table` (a fresh, created table)."""

    def test_lines_are_counted_once_per_source_and_day(
        self, make_table: Callable[[], Table]
    ) -> None:
        ledger = TableCapacityLedger(make_table())
        ledger.record(DAY, [("SEA", "o1|0001"), ("SEA", "o1|0002"), ("PDX|2", "o1|0003")])
        ledger.record(DAY, [("SEA", "o1|0001")])  # a retried step records the same line again
        ledger.record(NEXT, [("SEA", "o2|0001")])

        assert ledger.lines_on(DAY) == {"SEA": 2, "PDX|2": 1}
        assert ledger.lines_on(NEXT) == {"SEA": 1}
        assert ledger.lines_on(date(2026, 1, 1)) == {}

    def test_more_lines_than_one_batch_are_recorded(self, make_table: Callable[[], Table]) -> None:
        ledger = TableCapacityLedger(make_table())
        ledger.record(DAY, [("SEA", f"o|{n:04d}") for n in range(250)])
        assert ledger.lines_on(DAY) == {"SEA": 250}
