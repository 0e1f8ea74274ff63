"""Behaviour of TableStaleTotalsIndex, on memory tables and on Azurite."""

from __future__ import annotations

import pytest

from adapters.storage.entities import Entity, UpdateMode
from adapters.storage.stale_totals import (
    SHARDS,
    TableStaleTotalsIndex,
    pointer_address,
    shard,
    stale_partition,
    stale_row_key,
)
from tests.fakes import FixedClock


class ShortPages:
    """A Table whose range reads answer at most two rows a page, as the service may."""

    def __init__(self, table):
        self._table = table

    def __getattr__(self, name):
        return getattr(self._table, name)

    def query_page(self, partition_key, *, page_size=1000, **options):
        return self._table.query_page(partition_key, page_size=min(page_size, 2), **options)


def order_ids(count: int) -> list[str]:
    return [f"o-{n:03d}" for n in range(count)]


class StaleTotalsContract:
    """Subclasses provide `make_table`: a factory of created, uniquely named tables."""

    @pytest.fixture
    def clock(self) -> FixedClock:
        return FixedClock()

    @pytest.fixture
    def table(self, make_table):
        return make_table()

    @pytest.fixture
    def index(self, table, clock) -> TableStaleTotalsIndex:
        return TableStaleTotalsIndex(table, clock)

    def mark_one_by_one(self, index, clock, ids) -> None:
        for order_id in ids:
            index.mark([order_id])
            clock.advance(0.000001)

    def test_stale_answers_oldest_mark_first_across_shards(self, index, clock):
        ids = order_ids(30)
        assert len({shard(i) for i in ids}) == SHARDS  # the orders spread over every shard
        marked = list(reversed(ids))
        self.mark_one_by_one(index, clock, marked)

        assert index.stale(100) == marked
        assert index.stale(5) == marked[:5]
        assert index.stale(0) == []

    def test_an_empty_index_has_nothing_stale(self, index):
        assert index.stale(10) == []

    def test_marking_again_keeps_the_first_mark(self, index, clock):
        self.mark_one_by_one(index, clock, ["o-a", "o-b", "o-c"])
        index.mark(["o-a", "o-c", "o-a"])

        assert index.stale(10) == ["o-a", "o-b", "o-c"]

    def test_one_call_marks_many_orders_once_each(self, index):
        index.mark(["o-1", "o-2", "o-1", "o-3"])

        assert sorted(index.stale(10)) == ["o-1", "o-2", "o-3"]

    def test_clear_drops_marks_and_is_idempotent(self, index, clock):
        self.mark_one_by_one(index, clock, ["o-1", "o-2", "o-3"])

        index.clear(["o-2", "o-unknown", "o-2"])
        assert index.stale(10) == ["o-1", "o-3"]
        index.clear(["o-2"])
        index.clear([])
        assert index.stale(10) == ["o-1", "o-3"]

    def test_a_mark_after_a_clear_goes_to_the_back(self, index, clock):
        self.mark_one_by_one(index, clock, ["o-1", "o-2"])
        index.clear(["o-1"])
        clock.advance(1)
        index.mark(["o-1"])

        assert index.stale(10) == ["o-2", "o-1"]

    def test_any_order_id_round_trips(self, index, clock):
        odd = ["o|1%/#?", "o\\2", "ordre-é-3", "o%7C4"]
        self.mark_one_by_one(index, clock, odd)

        assert index.stale(10) == odd
        index.clear(odd)
        assert index.stale(10) == []

    def test_short_pages_are_followed(self, table, clock):
        index = TableStaleTotalsIndex(ShortPages(table), clock)
        ids = order_ids(40)
        self.mark_one_by_one(index, clock, ids)

        assert index.stale(25) == ids[:25]
        assert index.stale(100) == ids

    def test_a_row_no_pointer_names_is_skipped_and_removed(self, index, table, clock):
        index.mark(["o-1"])
        clock.advance(1)
        stray = Entity(stale_partition(shard("o-2")), stale_row_key("o-2", clock.now()),
                       {"OrderId": "o-2", "MarkedAt": clock.now()})  # fmt: skip
        table.upsert(stray, UpdateMode.REPLACE)  # a mark that raced a clear of o-2

        assert index.stale(10) == ["o-1"]
        assert table.get(stray.partition_key, stray.row_key) is None

    def test_a_mark_repairs_a_crash_between_its_two_writes(self, index, table, clock):
        index.mark(["o-1"])
        pointer = table.get(*pointer_address("o-1"))
        row_key = str(pointer.properties["Row"])
        table.delete(stale_partition(shard("o-1")), row_key)  # as if the crash came in between
        assert index.stale(10) == []
        clock.advance(60)

        index.mark(["o-1"])

        assert index.stale(10) == ["o-1"]
        assert table.get(stale_partition(shard("o-1")), row_key) is not None  # the first mark
