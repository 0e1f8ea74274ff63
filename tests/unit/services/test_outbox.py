import json
from datetime import timedelta

import pytest
from pydantic import ValidationError

from services.outbox import OutboxEntry, OutboxMessage, OutboxRecord, relay, sweep
from tests.fakes import FakeOutboxStore, FakePublisher, FixedClock

GRACE = timedelta(seconds=60)


def message(message_id: str, clock: FixedClock, queue: str = "order-events") -> OutboxMessage:
    return OutboxMessage(
        message_id=message_id, queue=queue, type="OrderReceived",
        data={"orderId": "o-1", "lines": 2}, occurred_at=clock.now(),
    )  # fmt: skip


def staged(store: FakeOutboxStore, clock: FixedClock, message_id: str, *, committed: bool = True,
           queue: str = "order-events") -> OutboxRecord:  # fmt: skip
    entry = OutboxEntry("03", f"{clock.now():%H%M%S%f}|{message_id}", "Orders", "o-1", message_id)
    record = OutboxRecord(message(message_id, clock, queue), entry)
    store.add(record if committed else None, entry, clock.now())
    return record


class TestEnvelope:
    def test_carries_id_type_time_and_data(self):
        body = json.loads(message("m-1", FixedClock()).envelope())
        assert body == {
            "id": "m-1", "type": "OrderReceived", "occurredAt": "2026-11-23T12:00:00+00:00",
            "data": {"orderId": "o-1", "lines": 2},
        }  # fmt: skip

    @pytest.mark.parametrize("queue", ["Orders", "a", "has--double", "-lead", "x" * 64])
    def test_rejects_invalid_queue_names(self, queue):
        with pytest.raises(ValidationError, match="queue"):
            message("m-1", FixedClock(), queue=queue)

    def test_requires_timezone_aware_time(self):
        with pytest.raises(ValidationError, match="occurred_at"):
            OutboxMessage(message_id="m", queue="qq-1", type="T", data={},
                          occurred_at=FixedClock().now().replace(tzinfo=None))  # fmt: skip


class TestRelay:
    def test_publishes_then_marks_sent_and_forgets(self):
        store, publisher, clock = FakeOutboxStore(), FakePublisher(), FixedClock()
        records = [staged(store, clock, "m-1"), staged(store, clock, "m-2")]

        relay(records, store, publisher, clock)

        assert publisher.ids("order-events") == ["m-1", "m-2"]
        assert all(store.records[m].sent_at == clock.now() for m in ("m-1", "m-2"))
        assert store.entries == {}

    def test_a_failed_publish_leaves_the_rows_for_the_sweeper(self):
        store, publisher, clock = (
            FakeOutboxStore(),
            FakePublisher(unreachable={"order-events"}),
            FixedClock(),
        )
        record = staged(store, clock, "m-1")
        with pytest.raises(Exception, match="unreachable"):
            relay([record], store, publisher, clock)
        assert store.records["m-1"].sent_at is None
        assert len(store.entries) == 1


class TestSweep:
    def test_sends_pending_messages_older_than_grace_exactly_once(self):
        store, publisher, clock = FakeOutboxStore(), FakePublisher(), FixedClock()
        staged(store, clock, "m-1")
        clock.advance(61)

        first = sweep(store, publisher, clock, grace=GRACE)
        second = sweep(store, publisher, clock, grace=GRACE)

        assert publisher.ids() == ["m-1"]
        assert (first.examined, first.sent) == (1, 1)
        assert (second.examined, second.sent) == (0, 0)

    def test_leaves_fresh_messages_to_the_inline_relay(self):
        store, publisher, clock = FakeOutboxStore(), FakePublisher(), FixedClock()
        staged(store, clock, "m-1")
        clock.advance(59)
        report = sweep(store, publisher, clock, grace=GRACE)
        assert (report.examined, publisher.sent) == (0, [])

    def test_drops_index_rows_of_transactions_that_never_committed(self):
        store, publisher, clock = FakeOutboxStore(), FakePublisher(), FixedClock()
        staged(store, clock, "m-1", committed=False)
        clock.advance(120)
        report = sweep(store, publisher, clock, grace=GRACE)
        assert (report.orphaned, publisher.sent, store.entries) == (1, [], {})

    def test_does_not_resend_what_the_relay_sent_before_dying(self):
        store, publisher, clock = FakeOutboxStore(), FakePublisher(), FixedClock()
        record = staged(store, clock, "m-1")
        store.mark_sent([record], clock.now())  # died before forgetting the index row
        clock.advance(120)
        report = sweep(store, publisher, clock, grace=GRACE)
        assert (report.already_sent, publisher.sent, store.entries) == (1, [], {})

    def test_an_unreachable_queue_does_not_stall_the_others(self):
        store, publisher, clock = (
            FakeOutboxStore(),
            FakePublisher(unreachable={"broken-queue"}),
            FixedClock(),
        )
        staged(store, clock, "m-1", queue="broken-queue")
        staged(store, clock, "m-2")
        clock.advance(120)
        report = sweep(store, publisher, clock, grace=GRACE)
        assert (report.failed, report.sent, publisher.ids()) == (["m-1"], 1, ["m-2"])
        assert [e.message_id for e in store.due(clock.now(), 10)] == ["m-1"]

    def test_respects_the_limit_oldest_first(self):
        store, publisher, clock = FakeOutboxStore(), FakePublisher(), FixedClock()
        for n in range(5):
            staged(store, clock, f"m-{n}")
            clock.advance(1)
        clock.advance(120)
        sweep(store, publisher, clock, grace=GRACE, limit=3)
        assert publisher.ids() == ["m-0", "m-1", "m-2"]


def test_relay_and_sweep_keep_a_messages_delay():
    from datetime import timedelta

    from services.outbox import OutboxEntry, OutboxMessage, OutboxRecord, relay, sweep
    from tests.fakes import FakeOutboxStore, FakePublisher, FixedClock

    clock, store, publisher = FixedClock(), FakeOutboxStore(), FakePublisher()
    message = OutboxMessage(
        message_id="m1", queue="q-1", type="T", data={}, occurred_at=clock.now(), delay_seconds=30
    )
    entry = OutboxEntry("00", "k1", "T", "p", "m1")
    relay([OutboxRecord(message, entry)], store, publisher, clock)
    late = OutboxMessage(
        message_id="m2", queue="q-1", type="T", data={}, occurred_at=clock.now(), delay_seconds=30
    )
    late_entry = OutboxEntry("00", "k2", "T", "p", "m2")
    store.add(OutboxRecord(late, late_entry), late_entry, clock.now())
    clock.advance(20)
    sweep(store, publisher, clock, grace=timedelta(seconds=5))

    assert publisher.delays == [30, 10]  # the sweeper sends what is left of the delay
