"""Behaviour of TableOutbox, run against the in-memory tables and against Azurite."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from adapters.storage.entities import Entity, Update, Upsert
from adapters.storage.outbox import TableOutbox, outbox_row_key
from adapters.storage.table import Table
from services.errors import ConcurrencyConflict, EntityAlreadyExists
from services.outbox import OutboxMessage, relay, sweep
from tests.fakes import FakePublisher, FixedClock
from tests.support.ids import random_id, random_name

Tables = Callable[[str], Table]


def make_message(message_id: str, clock: FixedClock) -> OutboxMessage:
    return OutboxMessage(
        message_id=message_id, queue="order-events", type="OrderReceived",
        data={"orderId": "o-1"}, occurred_at=clock.now(),
    )  # fmt: skip


class OutboxContract:
    """Subclasses provide `tables` (name -> Table) and `source_table` (created)."""

    @pytest.fixture
    def clock(self) -> FixedClock:
        return FixedClock()

    @pytest.fixture
    def index_table(self, tables: Tables) -> str:
        name = random_name("OutboxIndex")  # one per test, so sweeps see only this test's rows
        tables(name).create()
        return name

    @pytest.fixture
    def outbox(self, tables: Tables, clock: FixedClock, index_table: str) -> TableOutbox:
        return TableOutbox(tables, clock, index_table)

    def stage_one(self, outbox: TableOutbox, source: Table, clock: FixedClock, pk: str,
                  message_id: str):  # fmt: skip
        state = Upsert(Entity(pk, "header", {"Status": "New"}))
        return outbox.stage(source, pk, [state], [make_message(message_id, clock)])

    def test_stage_commits_state_and_message_together_then_relay_settles(
        self, outbox, source_table, clock
    ):
        pk, mid = random_id("order"), random_id("m")
        records = self.stage_one(outbox, source_table, clock, pk, mid)

        assert source_table.get(pk, "header").properties["Status"] == "New"
        row = source_table.get(pk, outbox_row_key(mid))
        assert row.properties["Queue"] == "order-events"
        assert "SentAt" not in row.properties
        assert [e.message_id for e in outbox.due(clock.now() + timedelta(seconds=1), 10)] == [mid]

        publisher = FakePublisher()
        relay(records, outbox, publisher, clock)

        assert publisher.ids() == [mid]
        assert source_table.get(pk, outbox_row_key(mid)).properties["SentAt"] == clock.now()
        assert outbox.due(clock.now() + timedelta(days=1), 1000) == []

    def test_a_failed_commit_writes_no_message_and_the_sweeper_drops_its_index_row(
        self, outbox, source_table, clock
    ):
        pk, mid = random_id("order"), random_id("m")
        header = source_table.insert(Entity(pk, "header", {"Status": "New"}))
        source_table.update(Entity(pk, "header", {"Status": "Validated"}, header.etag))
        stale = Entity(pk, "header", {"Status": "Canceled"}, header.etag)
        with pytest.raises(ConcurrencyConflict):
            outbox.stage(source_table, pk, [Update(stale)], [make_message(mid, clock)])

        assert source_table.get(pk, outbox_row_key(mid)) is None
        clock.advance(120)
        publisher = FakePublisher()
        report = sweep(outbox, publisher, clock, grace=timedelta(seconds=60))
        assert (report.orphaned, publisher.sent) == (1, [])
        assert outbox.due(clock.now(), 1000) == []

    def test_restaging_the_same_message_id_fails_and_changes_nothing(
        self, outbox, source_table, clock
    ):
        pk, mid = random_id("order"), random_id("m")
        self.stage_one(outbox, source_table, clock, pk, mid)
        again = Upsert(Entity(pk, "header", {"Status": "Changed"}))
        with pytest.raises(EntityAlreadyExists):
            outbox.stage(source_table, pk, [again], [make_message(mid, clock)])
        assert source_table.get(pk, "header").properties["Status"] == "New"

    def test_sweeper_sends_a_crashed_commit_once(self, outbox, source_table, clock):
        pk, mid = random_id("order"), random_id("m")
        self.stage_one(outbox, source_table, clock, pk, mid)  # the relay never runs
        clock.advance(61)
        publisher = FakePublisher()

        first = sweep(outbox, publisher, clock, grace=timedelta(seconds=60))
        second = sweep(outbox, publisher, clock, grace=timedelta(seconds=60))

        assert publisher.ids() == [mid]
        assert (first.sent, second.examined) == (1, 0)
        assert "SentAt" in source_table.get(pk, outbox_row_key(mid)).properties

    def test_due_reads_only_entries_older_than_the_cutoff(self, outbox, source_table, clock):
        pk = random_id("order")
        old, new = random_id("old"), random_id("new")
        self.stage_one(outbox, source_table, clock, pk, old)
        clock.advance(30)
        self.stage_one(outbox, source_table, clock, random_id("order"), new)
        due = [e.message_id for e in outbox.due(clock.now(), 1000)]
        assert old in due
        assert new not in due

    def test_forget_tolerates_entries_already_gone(self, outbox, source_table, clock):
        records = self.stage_one(outbox, source_table, clock, random_id("order"), random_id("m"))
        entries = [r.entry for r in records]
        outbox.forget(entries)
        outbox.forget(entries)
        assert outbox.due(clock.now() + timedelta(days=1), 1000) == []

    def test_index_rows_live_in_their_own_table(
        self, tables, index_table, outbox, source_table, clock
    ):
        records = self.stage_one(outbox, source_table, clock, random_id("order"), random_id("m"))
        entry = records[0].entry
        assert tables(index_table).get(entry.shard, entry.row_key) is not None

    def test_a_commit_and_its_relay_cost_four_table_requests_whatever_the_message_count(
        self, tables, index_table, outbox, source_table, clock
    ):
        pk = random_id("order")
        messages = [make_message(random_id("m"), clock) for _ in range(5)]
        state = Upsert(Entity(pk, "header", {"Status": "New"}))

        def requests() -> int:
            return source_table.request_count + tables(index_table).request_count

        before = requests()
        records = outbox.stage(source_table, pk, [state], messages)
        staged = requests()
        relay(records, outbox, FakePublisher(), clock)

        assert (staged - before, requests() - staged) == (2, 2)

    def test_a_commit_without_messages_is_one_request_and_no_index_row(
        self, tables, index_table, outbox, source_table, clock
    ):
        pk = random_id("order")
        before = source_table.request_count + tables(index_table).request_count
        outbox.stage(source_table, pk, [Upsert(Entity(pk, "header", {}))], [])
        after = source_table.request_count + tables(index_table).request_count
        assert after - before == 1
        assert outbox.due(clock.now() + timedelta(days=1), 10) == []
