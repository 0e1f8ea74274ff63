"""Storefront intake: webhooks queue, the handler places once, reconciliation catches up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from services.orders.commands import PlaceOrder
from services.orders.intake import order_id_for
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from services.storefront_intake import (
    FIRST_LOOKBACK,
    OVERLAP,
    STOREFRONT_QUEUE,
    accept_webhook,
    read_queue_body,
    reconcile,
    take_order,
)
from tests.fakes import FakePublisher
from tests.support.hub import Hub, make_hub


def command(order_id: int) -> PlaceOrder:
    return PlaceOrder.model_validate({
        "channel": "bigcommerce", "externalOrderId": str(order_id), "customerId": "11",
        "currency": "USD", "shipTo": {"country": "US"},
        "lines": [{"productId": "SKU-1", "quantity": 1, "unitPrice": "10.50"}],
    })  # fmt: skip


@dataclass
class FakeStorefront:
    """Orders by id with their modification time; failures and incomplete orders on demand."""

    modified: dict[int, datetime] = field(default_factory=dict)
    incomplete: set[int] = field(default_factory=set)
    failures: dict[int, Exception] = field(default_factory=dict)
    fetched: list[int] = field(default_factory=list)
    listed_since: list[datetime] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "bigcommerce:abc"

    def fetch(self, order_id: int) -> PlaceOrder | None:
        self.fetched.append(order_id)
        if order_id in self.failures:
            raise self.failures[order_id]
        return None if order_id in self.incomplete else command(order_id)

    def modified_since(self, since: datetime, limit: int) -> list[tuple[int, datetime]]:
        self.listed_since.append(since)
        changed = sorted(((i, at) for i, at in self.modified.items() if at >= since),
                         key=lambda pair: (pair[1], pair[0]))  # fmt: skip
        return changed[:limit]


@dataclass
class MemoryCheckpoints:
    points: dict[str, datetime] = field(default_factory=dict)
    writes: int = 0

    def get(self, name: str) -> datetime | None:
        return self.points.get(name)

    def set(self, name: str, at: datetime) -> None:
        self.points[name] = at
        self.writes += 1


def exists(hub: Hub, external_id: int) -> bool:
    return hub.engine.orders.get(order_id_for("bigcommerce", str(external_id))) is not None


def test_a_webhook_queues_the_order_id_and_dedupe_key() -> None:
    publisher = FakePublisher()
    accept_webhook(publisher, 250, "hash:dd70c0")

    assert publisher.sent == [(STOREFRONT_QUEUE, '{"orderId":250,"dedupeKey":"hash:dd70c0"}')]
    assert read_queue_body(publisher.sent[0][1]) == (250, "hash:dd70c0")


@pytest.mark.parametrize(
    "body", ["[]", "{}", '{"orderId":"250"}', '{"orderId":0}', '{"orderId":true}', "not json"]
)
def test_a_malformed_message_is_a_value_error(body: str) -> None:
    with pytest.raises(ValueError, match=r"orderId|Expecting"):
        read_queue_body(body)


def test_the_same_webhook_three_times_creates_one_order() -> None:
    hub, store = make_hub(), FakeStorefront()

    results = [take_order(hub.engine, store, 250) for _ in range(3)]

    assert [r.created for r in results if r is not None] == [True, False, False]
    assert len({r.order_id for r in results if r is not None}) == 1
    assert exists(hub, 250)


def test_an_incomplete_order_is_not_taken() -> None:
    hub, store = make_hub(), FakeStorefront(incomplete={251})

    assert take_order(hub.engine, store, 251) is None
    assert not exists(hub, 251)


def test_a_storefront_failure_reaches_the_caller() -> None:
    hub = make_hub()
    store = FakeStorefront(failures={252: TransientProviderFailure("429", status=429)})

    with pytest.raises(TransientProviderFailure):
        take_order(hub.engine, store, 252)


def test_the_first_reconciliation_looks_back_a_day_and_takes_what_is_missing() -> None:
    hub, checkpoints = make_hub(), MemoryCheckpoints()
    now = hub.clock.now()
    store = FakeStorefront(modified={
        1: now - timedelta(days=2), 2: now - timedelta(hours=3), 3: now - timedelta(minutes=5),
    })  # fmt: skip
    take_order(hub.engine, store, 3)  # its webhook arrived

    report = reconcile(hub.engine, store, checkpoints, hub.clock)

    assert store.listed_since == [now - FIRST_LOOKBACK]
    assert (report.examined, report.taken, report.failed) == (2, 1, [])
    assert report.checkpoint == now - timedelta(minutes=5) - OVERLAP
    assert checkpoints.points == {"bigcommerce:abc": report.checkpoint}
    assert [exists(hub, n) for n in (1, 2, 3)] == [False, True, True]


def test_the_next_reconciliation_resumes_from_the_checkpoint_and_never_goes_back() -> None:
    hub, checkpoints = make_hub(), MemoryCheckpoints()
    now = hub.clock.now()
    store = FakeStorefront(modified={2: now - timedelta(seconds=30)})
    checkpoints.set("bigcommerce:abc", now - timedelta(minutes=1))

    first = reconcile(hub.engine, store, checkpoints, hub.clock)
    again = reconcile(hub.engine, store, checkpoints, hub.clock)

    # newest - overlap would be before the checkpoint: it stays where it was.
    assert first.checkpoint == again.checkpoint == now - timedelta(minutes=1)
    assert (first.taken, again.taken, again.examined) == (1, 0, 1)
    assert checkpoints.writes == 1  # unchanged checkpoints are not rewritten


def test_nothing_changed_stores_the_first_window_start() -> None:
    hub, checkpoints = make_hub(), MemoryCheckpoints()

    report = reconcile(hub.engine, FakeStorefront(), checkpoints, hub.clock)

    assert (report.examined, report.taken) == (0, 0)
    assert checkpoints.points["bigcommerce:abc"] == hub.clock.now() - FIRST_LOOKBACK


def test_a_transient_failure_stops_before_that_order_so_the_next_run_retries_it() -> None:
    hub, checkpoints = make_hub(), MemoryCheckpoints()
    now = hub.clock.now()
    store = FakeStorefront(
        modified={1: now - timedelta(hours=2), 2: now - timedelta(hours=1), 3: now},
        failures={2: TransientProviderFailure("503", status=503)},
    )

    report = reconcile(hub.engine, store, checkpoints, hub.clock)

    assert (report.taken, report.checkpoint) == (1, now - timedelta(hours=2) - OVERLAP)
    assert store.fetched == [1, 2]
    del store.failures[2]
    later = reconcile(hub.engine, store, checkpoints, hub.clock)
    assert later.taken == 2
    assert [exists(hub, n) for n in (1, 2, 3)] == [True, True, True]


def test_an_order_that_can_never_be_taken_is_reported_and_passed_over() -> None:
    hub, checkpoints = make_hub(), MemoryCheckpoints()
    now = hub.clock.now()
    store = FakeStorefront(
        modified={1: now - timedelta(hours=2), 2: now - timedelta(hours=1)},
        failures={1: PermanentProviderFailure("order 1 has no lines", status=None)},
    )

    report = reconcile(hub.engine, store, checkpoints, hub.clock)

    assert report.taken == 1
    assert report.failed == ["order 1: order 1 has no lines"]
    assert report.checkpoint == now - timedelta(hours=1) - OVERLAP


def test_a_full_page_resumes_at_the_last_change_taken_without_overlap() -> None:
    hub, checkpoints = make_hub(), MemoryCheckpoints()
    now = hub.clock.now()
    store = FakeStorefront(modified={n: now - timedelta(minutes=10 - n) for n in range(1, 6)})

    first = reconcile(hub.engine, store, checkpoints, hub.clock, limit=3)
    second = reconcile(hub.engine, store, checkpoints, hub.clock, limit=3)

    assert first.checkpoint == now - timedelta(minutes=7)  # order 3's change, listed again
    assert (first.taken, second.examined, second.taken) == (3, 3, 2)
    assert [exists(hub, n) for n in range(1, 6)] == [True] * 5
    assert second.failed == []
