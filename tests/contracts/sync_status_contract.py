"""Behaviour of the sync status store and cursors, on memory tables and on Azurite."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from adapters.storage.sync import TableSyncCursors, TableSyncStatusStore
from adapters.storage.sync_status import shard_key, status_partition
from services.sync.ports import MapStatus

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HEADERS = "CDS sales order headers (salesorders)"
ODD_NAMES = [HEADERS, "a/b\\c#d?e", "50% | off\tnow", "Ünïcode 😀 map"]


def run_together(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run `work(i)` on `count` threads started together; the exceptions they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        start.wait()
        try:
            work(index)
        except BaseException as err:  # noqa: BLE001 (collected for the test to inspect)
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


class SyncStatusContract:
    """Subclasses provide `table`: a created, uniquely named table per test."""

    @pytest.fixture
    def eager_switching(self):
        """Switch threads often, so in-memory threads interleave between a read and a write."""
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        yield
        sys.setswitchinterval(interval)

    @pytest.fixture
    def status(self, table) -> TableSyncStatusStore:
        return TableSyncStatusStore(table, shards=8)

    @pytest.fixture
    def cursors(self, table) -> TableSyncCursors:
        return TableSyncCursors(table)

    # Status

    def test_status_sums_the_shards(self, status):
        assert status.get(HEADERS) == MapStatus(HEADERS)

        status.add(MapStatus(HEADERS, synced=2, failed=1, last_run_at=T0), 0)
        status.add(MapStatus(HEADERS, synced=3, skipped=4, echoes=5, last_run_at=T0), 3)
        status.add(MapStatus(HEADERS, conflicts=1, last_run_at=T0), 3)
        status.add(MapStatus("lines", synced=100, last_run_at=T0), 3)

        assert status.get(HEADERS) == MapStatus(
            HEADERS, synced=5, failed=1, skipped=4, echoes=5, conflicts=1, last_run_at=T0
        )

    def test_status_keeps_the_latest_run_with_its_error(self, status):
        status.add(MapStatus(HEADERS, failed=1, last_run_at=T0, last_error="old"), 1)
        status.add(MapStatus(HEADERS, failed=1, last_run_at=T0 + timedelta(hours=1),
                             last_error="new"), 2)  # fmt: skip
        status.add(MapStatus(HEADERS, synced=1, last_run_at=T0 + timedelta(minutes=1)), 2)

        got = status.get(HEADERS)

        assert (got.failed, got.synced) == (2, 1)
        assert (got.last_run_at, got.last_error) == (T0 + timedelta(hours=1), "new")
        status.add(MapStatus(HEADERS, synced=1, last_run_at=T0 + timedelta(hours=2)), 1)
        assert status.get(HEADERS).last_error is None

    def test_a_shard_beyond_the_count_still_counts(self, status, table):
        status.add(MapStatus(HEADERS, synced=1), 11)
        status.add(MapStatus(HEADERS, synced=1), -1)

        assert status.get(HEADERS).synced == 2
        rows = {row.row_key for row in table.query(status_partition(HEADERS))}
        assert rows == {shard_key(3), shard_key(7)}

    def test_concurrent_adds_to_one_shard_lose_nothing(self, status, table, eager_switching):
        def work(index: int) -> None:
            for _ in range(10):
                status.add(MapStatus(HEADERS, synced=1, failed=index, last_run_at=T0), 5)

        assert run_together(8, work) == []
        assert (status.get(HEADERS).synced, status.get(HEADERS).failed) == (80, 280)
        assert table.request_count > 2 * 80 + 1  # the threads did meet, and retried

    @pytest.mark.parametrize("name", ODD_NAMES)
    def test_status_of_any_map_name(self, status, name):
        status.add(MapStatus(name, synced=1, last_error="e" * 50_000), 0)

        got = status.get(name)
        assert got.synced == 1
        assert got.last_error is not None
        assert got.last_error.endswith(" [cut]")

    # Cursors

    def test_cursors_move_forward_only(self, cursors):
        assert cursors.get(HEADERS) is None

        cursors.advance(HEADERS, T0 + timedelta(microseconds=7))
        cursors.advance(HEADERS, T0)
        assert cursors.get(HEADERS) == T0 + timedelta(microseconds=7)

        cursors.advance(HEADERS, T0 + timedelta(hours=1))
        assert cursors.get(HEADERS) == T0 + timedelta(hours=1)
        assert cursors.get("lines") is None

    def test_a_naive_watermark_is_utc(self, cursors):
        cursors.advance(HEADERS, datetime(2026, 5, 6, 7, 8, 9))

        assert cursors.get(HEADERS) == datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)

    def test_concurrent_advances_keep_the_latest(self, cursors):
        moments = [T0 + timedelta(seconds=n) for n in (3, 9, 1, 7, 5, 2)]

        assert run_together(6, lambda i: cursors.advance(HEADERS, moments[i])) == []
        assert cursors.get(HEADERS) == max(moments)

    @pytest.mark.parametrize("name", ODD_NAMES)
    def test_cursor_of_any_map_name(self, cursors, name):
        cursors.advance(name, T0)

        assert cursors.get(name) == T0
