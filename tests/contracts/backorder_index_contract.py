"""Behaviour of TableBackorderIndex, on memory tables and on Azurite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from adapters.storage.backorders import TableBackorderIndex, due_shard
from services.backorder_index import HeldLine, HoldKind
from tests.support.ids import random_id

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def held_line(order_id: str, line_id: str = "l-1", **changes: object) -> HeldLine:
    fields: dict[str, object] = {
        "order_id": order_id, "line_id": line_id, "product_id": "p-1",
        "quantity": Decimal("2"), "ordered_at": T0, "priority": 100, "held_at": T0,
        "kind": HoldKind.BACKORDER, "due_at": T0 + timedelta(days=7), **changes,
    }  # fmt: skip
    return HeldLine(**fields)


def keys(lines: list[HeldLine]) -> list[tuple[str, str]]:
    return [(line.order_id, line.line_id) for line in lines]


class ShortPages:
    """A Table whose range reads answer at most two rows a page, as the service may."""

    def __init__(self, table):
        self._table = table

    def __getattr__(self, name):
        return getattr(self._table, name)

    def query_page(self, partition_key, *, page_size=1000, **options):
        return self._table.query_page(partition_key, page_size=min(page_size, 2), **options)


class BackorderIndexContract:
    """Subclasses provide `make_table`: a factory of created, uniquely named tables."""

    @pytest.fixture
    def index(self, make_table) -> TableBackorderIndex:
        return TableBackorderIndex(make_table())

    def test_a_held_line_round_trips_exactly(self, index):
        line = held_line(
            "o|1%/#?", "l/1|x", product_id="sku/7#?|%", quantity=Decimal("0.1000000000000000001"),
            ordered_at=T0 + timedelta(microseconds=7), kind=HoldKind.PREORDER, priority=3,
        )  # fmt: skip
        index.add(line)

        [stored] = index.held(line.product_id, 10)
        assert stored == line
        assert str(stored.quantity) == "0.1000000000000000001"
        assert index.due(line.due_at + timedelta(microseconds=1), 10) == [line]

    def test_held_is_first_come_first_served_by_order_date_then_priority(self, index):
        lines = [
            held_line("o-late", ordered_at=T0 + timedelta(hours=2), priority=1),
            held_line("o-b", ordered_at=T0, priority=50),
            held_line("o-a", ordered_at=T0, priority=100),
            held_line("o-first", ordered_at=T0 - timedelta(days=1), priority=900),
            held_line("o-a", "l-2", ordered_at=T0, priority=100),
            held_line("o-other", product_id="p-2", ordered_at=T0 - timedelta(days=9)),
        ]
        for line in lines:
            index.add(line)

        assert keys(index.held("p-1", 10)) == [
            ("o-first", "l-1"), ("o-b", "l-1"), ("o-a", "l-1"), ("o-a", "l-2"), ("o-late", "l-1"),
        ]  # fmt: skip
        assert keys(index.held("p-1", 2)) == [("o-first", "l-1"), ("o-b", "l-1")]
        assert keys(index.held("p-2", 10)) == [("o-other", "l-1")]
        assert index.held("p-3", 10) == []

    def test_order_dates_compare_as_instants_whatever_their_zone(self, index):
        plus_two = timezone(timedelta(hours=2))
        earlier = held_line("o-zoned", ordered_at=datetime(2026, 11, 23, 13, 0, tzinfo=plus_two))
        naive = held_line("o-naive", ordered_at=datetime(2026, 11, 23, 11, 30))  # taken as UTC
        index.add(held_line("o-utc"))
        index.add(earlier)
        index.add(naive)

        assert keys(index.held("p-1", 10)) == [("o-zoned", "l-1"), ("o-naive", "l-1"),
                                               ("o-utc", "l-1")]  # fmt: skip

    def test_adding_a_line_again_is_idempotent(self, index):
        line = held_line("o-1")
        index.add(line)
        index.add(line)

        assert index.held("p-1", 10) == [line]
        assert index.due(T0 + timedelta(days=30), 10) == [line]

    def test_adding_a_line_with_new_keys_moves_it(self, index):
        index.add(held_line("o-1", priority=100, due_at=T0 + timedelta(days=7)))
        index.add(held_line("o-2", ordered_at=T0 + timedelta(minutes=1)))
        moved = held_line("o-1", ordered_at=T0 + timedelta(hours=1), priority=1,
                          due_at=T0 + timedelta(days=1), quantity=Decimal("1.5"))  # fmt: skip
        index.add(moved)

        assert keys(index.held("p-1", 10)) == [("o-2", "l-1"), ("o-1", "l-1")]
        assert index.held("p-1", 10)[1] == moved
        assert index.due(T0 + timedelta(days=30), 10)[0] == moved
        assert len(index.due(T0 + timedelta(days=30), 10)) == 2

    def test_remove_drops_the_line_from_both_indexes(self, index):
        line, kept = held_line("o-1"), held_line("o-1", "l-2")
        index.add(line)
        index.add(kept)
        index.remove(line)
        index.remove(line)  # already gone: fine
        index.remove(held_line("o-never"))  # never indexed: fine

        assert index.held("p-1", 10) == [kept]
        assert index.due(T0 + timedelta(days=30), 10) == [kept]

    def test_remove_finds_the_rows_even_when_the_line_changed_since_it_was_added(self, index):
        index.add(held_line("o-1", priority=5, due_at=T0 + timedelta(days=2)))
        index.remove(held_line("o-1", priority=7, due_at=T0 + timedelta(days=9)))

        assert index.held("p-1", 10) == []
        assert index.due(T0 + timedelta(days=30), 10) == []

    def test_due_reads_only_lines_due_before_the_cutoff_earliest_first(self, index):
        orders = [random_id("o") for _ in range(12)]
        assert len({due_shard(order_id) for order_id in orders}) > 1
        for hours, order_id in enumerate(orders, start=1):
            index.add(held_line(order_id, due_at=T0 + timedelta(hours=hours),
                                product_id=f"p-{hours % 3}"))  # fmt: skip

        cutoff = T0 + timedelta(hours=5)  # a line due exactly at the cutoff is not yet due
        assert [line.order_id for line in index.due(cutoff, 100)] == orders[:4]
        assert [line.order_id for line in index.due(cutoff, 2)] == orders[:2]
        assert [line.order_id for line in index.due(T0 + timedelta(days=1), 100)] == orders
        assert index.due(T0, 100) == []

    def test_due_orders_lines_due_at_the_same_time_by_order_and_line(self, index):
        due_at = T0 + timedelta(hours=1)
        for order_id, line_id in [("o-b", "l-1"), ("o-a", "l-2"), ("o-a", "l-1")]:
            index.add(held_line(order_id, line_id, due_at=due_at))

        expected = [("o-a", "l-1"), ("o-a", "l-2"), ("o-b", "l-1")]
        assert keys(index.due(due_at + timedelta(seconds=1), 10)) == expected

    def test_held_and_due_follow_short_pages(self, make_table):
        table = make_table()
        index = TableBackorderIndex(ShortPages(table))
        lines = [held_line("o-1", f"l-{n}", due_at=T0 + timedelta(hours=n)) for n in range(1, 6)]
        for line in lines:
            index.add(line)

        assert index.held("p-1", 4) == lines[:4]
        assert index.held("p-1", 100) == lines
        assert index.due(T0 + timedelta(days=1), 5) == lines
        assert index.held("p-1", 0) == index.due(T0 + timedelta(days=1), 0) == []
