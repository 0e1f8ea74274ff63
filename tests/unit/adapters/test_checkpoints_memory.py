"""The checkpoint store's contract on MemoryTable (the Azurite test reuses the contract)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from adapters.storage.checkpoints import TableCheckpointStore
from adapters.storage.memory_table import MemoryTable
from adapters.storage.table import Table
from tests.support.ids import random_name

AT = datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=UTC)


class CheckpointContract:
    """Subclasses provide `make_table` (a fresh, created table)."""

    def test_an_unknown_checkpoint_is_none(self, make_table: Callable[[], Table]) -> None:
        assert TableCheckpointStore(make_table()).get("bigcommerce:abc") is None

    def test_a_checkpoint_reads_back_exactly_in_utc(self, make_table: Callable[[], Table]) -> None:
        store = TableCheckpointStore(make_table())
        store.set("bigcommerce:abc", AT.astimezone(timezone(timedelta(hours=-5))))

        got = store.get("bigcommerce:abc")

        assert got == AT
        assert got is not None
        assert got.utcoffset() == timedelta(0)

    def test_setting_again_replaces_and_names_are_separate(
        self, make_table: Callable[[], Table]
    ) -> None:
        store = TableCheckpointStore(make_table())
        store.set("a/b#c?d", AT)
        store.set("other", AT - timedelta(days=1))
        store.set("a/b#c?d", AT + timedelta(minutes=2))

        assert store.get("a/b#c?d") == AT + timedelta(minutes=2)
        assert store.get("other") == AT - timedelta(days=1)

    def test_a_naive_time_is_taken_as_utc(self, make_table: Callable[[], Table]) -> None:
        store = TableCheckpointStore(make_table())
        store.set("naive", AT.replace(tzinfo=None))

        assert store.get("naive") == AT


class TestMemoryCheckpoints(CheckpointContract):
    @pytest.fixture
    def make_table(self) -> Callable[[], Table]:
        def make() -> MemoryTable:
            table = MemoryTable(random_name("ckpt"))
            table.create()
            return table

        return make
