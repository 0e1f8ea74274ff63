"""Behaviour of TableInvoiceWatchlist, on memory tables and on Azurite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.storage.entities import Entity, UpdateMode
from adapters.storage.watchlist import DUE_PARTITION, TableInvoiceWatchlist, due_row_key

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class WatchlistContract:
    """Subclasses provide `make_table`: a factory of created, uniquely named tables."""

    @pytest.fixture
    def table(self, make_table):
        return make_table()

    @pytest.fixture
    def watchlist(self, table) -> TableInvoiceWatchlist:
        return TableInvoiceWatchlist(table)

    def test_due_orders_come_earliest_first_and_only_before_the_cutoff(self, watchlist):
        watchlist.add("o-late", T0 + timedelta(minutes=5), T0)
        watchlist.add("o|odd/#?%", T0 + timedelta(microseconds=7), T0)
        watchlist.add("o-early", T0, T0)

        due = watchlist.due(T0 + timedelta(minutes=1), 10)

        assert [w.order_id for w in due] == ["o-early", "o|odd/#?%"]
        assert due[1].due_at == T0 + timedelta(microseconds=7)
        assert due[1].added_at == T0
        assert watchlist.due(T0, 10) == []

    def test_due_reads_at_most_the_limit(self, watchlist):
        for n in range(5):
            watchlist.add(f"o-{n}", T0 + timedelta(seconds=n), T0)

        assert [w.order_id for w in watchlist.due(T0 + timedelta(hours=1), 3)] == [
            "o-0", "o-1", "o-2",
        ]  # fmt: skip

    def test_adding_again_moves_the_check_and_keeps_when_it_was_first_watched(self, watchlist):
        watchlist.add("o-1", T0, T0)
        watchlist.add("o-1", T0 + timedelta(minutes=3), T0 + timedelta(minutes=1))

        [watched] = watchlist.due(T0 + timedelta(hours=1), 10)
        assert (watched.due_at, watched.added_at) == (T0 + timedelta(minutes=3), T0)

    def test_reschedule_moves_the_entry(self, watchlist):
        watchlist.add("o-1", T0, T0)
        [watched] = watchlist.due(T0 + timedelta(seconds=1), 10)

        watchlist.reschedule(watched, T0 + timedelta(minutes=10))

        assert watchlist.due(T0 + timedelta(minutes=10), 10) == []
        [moved] = watchlist.due(T0 + timedelta(minutes=11), 10)
        assert (moved.order_id, moved.added_at) == ("o-1", T0)

    def test_remove_forgets_the_order(self, watchlist):
        watchlist.add("o-1", T0, T0)
        [watched] = watchlist.due(T0 + timedelta(seconds=1), 10)

        watchlist.remove(watched)
        watchlist.remove(watched)

        assert watchlist.due(T0 + timedelta(days=1), 10) == []
        watchlist.add("o-1", T0 + timedelta(seconds=5), T0 + timedelta(seconds=5))
        [again] = watchlist.due(T0 + timedelta(days=1), 10)
        assert again.added_at == T0 + timedelta(seconds=5)

    def test_a_stray_row_left_by_a_crash_is_deleted_when_met(self, watchlist, table):
        watchlist.add("o-1", T0 + timedelta(minutes=1), T0)
        stray = {"OrderId": "o-1", "DueAt": T0, "AddedAt": T0}
        table.upsert(Entity(DUE_PARTITION, due_row_key("o-1", T0), stray), UpdateMode.REPLACE)
        [first] = watchlist.due(T0 + timedelta(seconds=1), 10)
        assert first.due_at == T0

        watchlist.reschedule(first, T0 + timedelta(hours=1))

        [live] = watchlist.due(T0 + timedelta(hours=2), 10)
        assert live.due_at == T0 + timedelta(minutes=1)

    def test_removing_a_stray_keeps_the_live_entry(self, watchlist, table):
        watchlist.add("o-1", T0 + timedelta(minutes=1), T0)
        stray = {"OrderId": "o-1", "DueAt": T0, "AddedAt": T0}
        table.upsert(Entity(DUE_PARTITION, due_row_key("o-1", T0), stray), UpdateMode.REPLACE)
        [first] = watchlist.due(T0 + timedelta(seconds=1), 10)

        watchlist.remove(first)

        [live] = watchlist.due(T0 + timedelta(hours=2), 10)
        assert live.due_at == T0 + timedelta(minutes=1)
