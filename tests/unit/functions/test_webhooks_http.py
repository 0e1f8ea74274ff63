"""The BigCommerce webhook route, the storefront queue trigger and the reconciliation timer."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import azure.functions as func
import pytest
from azure.functions.timer import TimerRequest

from functions import webhooks as triggers
from providers.bigcommerce.intake import SECRET_HEADER, verify_order_webhook
from services.orders.engine import Engine
from services.orders.intake import order_id_for
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from services.storefront_intake import STOREFRONT_QUEUE, queue_body
from tests.fakes import FakePublisher, FixedClock
from tests.support.hub import Hub, make_hub
from tests.unit.services.test_storefront_intake import FakeStorefront, MemoryCheckpoints

SECRET = "hook-secret"


def envelope(scope: str = "store/order/created", order_id: int = 250) -> bytes:
    return json.dumps({
        "scope": scope, "store_id": "1025646", "data": {"type": "order", "id": order_id},
        "hash": "dd70c0976e06b67aaf671e73f49dcb79230ebf9d", "created_at": 1561479335,
        "producer": "stores/abc123",
    }).encode()  # fmt: skip


@dataclass
class FakeContainer:
    hub: Hub = field(default_factory=make_hub)
    store: FakeStorefront | None = field(default_factory=FakeStorefront)
    checkpoints: MemoryCheckpoints = field(default_factory=MemoryCheckpoints)

    @property
    def publisher(self) -> FakePublisher:
        return self.hub.publisher

    @property
    def engine(self) -> Engine:
        return self.hub.engine

    @property
    def clock(self) -> FixedClock:
        return self.hub.clock

    def verify_bigcommerce_webhook(
        self, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, str] | None:
        return verify_order_webhook(headers, body, SECRET, None, self.clock.now())

    def storefront_orders(self) -> FakeStorefront | None:
        return self.store

    def checkpoint_store(self) -> MemoryCheckpoints:
        return self.checkpoints

    def queued(self) -> list[str]:
        return [body for queue, body in self.publisher.sent if queue == STOREFRONT_QUEUE]

    def has_order(self, external_id: int) -> bool:
        return self.engine.orders.get(order_id_for("bigcommerce", str(external_id))) is not None


@pytest.fixture
def container(monkeypatch: pytest.MonkeyPatch) -> FakeContainer:
    fake = FakeContainer()
    monkeypatch.setattr(triggers, "get_container", lambda: fake)
    return fake


def post(body: bytes, headers: dict[str, str]) -> func.HttpResponse:
    request = func.HttpRequest(
        method="POST", url="http://localhost/api/webhooks/bigcommerce", body=body,
        headers=headers,
    )  # fmt: skip
    response: func.HttpResponse = triggers.receive_bigcommerce(request)
    return response


def message(body: str) -> func.QueueMessage:
    return func.QueueMessage(id="m-1", body=body.encode())


def test_an_authentic_order_callback_is_queued_and_answered_200_without_a_body(container):
    response = post(envelope(), {SECRET_HEADER: SECRET, "Content-Type": "application/json"})

    assert (response.status_code, response.get_body()) == (200, b"")
    assert container.queued() == [queue_body(250, "hash:dd70c0976e06b67aaf671e73f49dcb79230ebf9d")]


@pytest.mark.parametrize(
    "headers", [{SECRET_HEADER: "wrong"}, {}, {SECRET_HEADER.lower(): SECRET + " "}]
)
def test_a_callback_without_the_secret_is_a_401_and_nothing_is_queued(container, headers):
    response = post(envelope(), headers)

    assert response.status_code == 401
    assert json.loads(response.get_body())["error"]["code"] == "Unauthorized"
    assert container.queued() == []


def test_an_unreadable_callback_is_a_401(container):
    assert post(b'{"scope": 1}', {SECRET_HEADER: SECRET}).status_code == 401
    assert container.queued() == []


def test_a_shipment_callback_is_answered_and_asks_for_nothing(container):
    response = post(envelope("store/shipment/created"), {SECRET_HEADER: SECRET})

    assert response.status_code == 200
    assert container.queued() == []


def test_an_oversized_callback_is_a_413(container):
    assert post(b" " * (2 * 1024 * 1024), {SECRET_HEADER: SECRET}).status_code == 413


def test_the_queue_trigger_places_the_order_once_however_often_it_arrives(container, caplog):
    caplog.set_level(logging.INFO, logger=triggers.__name__)
    for _ in range(3):
        triggers.take_storefront_order(message(queue_body(250, "hash:abc")))

    assert container.store is not None
    assert container.store.fetched == [250, 250, 250]
    assert container.has_order(250)
    outcomes = [r.getMessage().split(": ", 1)[1].split()[0] for r in caplog.records]
    assert outcomes == ["created", "already", "already"]


def test_a_transient_storefront_failure_fails_the_message_so_the_queue_retries(container):
    assert container.store is not None
    container.store.failures[250] = TransientProviderFailure("503", status=503)

    with pytest.raises(TransientProviderFailure):
        triggers.take_storefront_order(message(queue_body(250, "hash:abc")))


def test_an_order_that_can_never_be_taken_is_logged_and_dropped(container, caplog):
    assert container.store is not None
    container.store.failures[250] = PermanentProviderFailure("no such order", status=404)

    triggers.take_storefront_order(message(queue_body(250, "hash:abc")))

    assert "cannot be taken" in caplog.text
    assert not container.has_order(250)


def test_a_malformed_message_is_dropped(container, caplog):
    triggers.take_storefront_order(message('{"orderId": "x"}'))

    assert "malformed" in caplog.text
    assert container.store is not None
    assert container.store.fetched == []


def test_without_an_active_bigcommerce_the_message_is_dropped(container, caplog):
    container.store = None
    caplog.set_level(logging.WARNING, logger=triggers.__name__)

    triggers.take_storefront_order(message(queue_body(250, "hash:abc")))

    assert "no BigCommerce provider is active" in caplog.text


def test_the_timer_reconciles_and_logs_the_counts(container, caplog):
    now: datetime = container.clock.now()
    assert container.store is not None
    container.store.modified.update({7: now - timedelta(hours=1), 8: now - timedelta(minutes=3)})
    caplog.set_level(logging.INFO, logger=triggers.__name__)

    triggers.reconcile_storefront(TimerRequest(past_due=False))

    assert container.has_order(7)
    assert container.has_order(8)
    assert "examined 2, created 2, failed 0" in caplog.text
    assert container.checkpoints.points["bigcommerce:abc"] == now - timedelta(minutes=4)


def test_the_timer_logs_a_storefront_outage_and_keeps_the_checkpoint(container, caplog):
    assert container.store is not None

    def unavailable(since: datetime, limit: int) -> list[tuple[int, datetime]]:
        raise TransientProviderFailure("503", status=503)

    container.store.modified_since = unavailable  # type: ignore[method-assign]

    triggers.reconcile_storefront(TimerRequest(past_due=True))

    assert "the next run retries" in caplog.text
    assert container.checkpoints.points == {}


def test_the_timer_does_nothing_without_an_active_bigcommerce(container, caplog):
    container.store = None
    caplog.set_level(logging.INFO, logger=triggers.__name__)

    triggers.reconcile_storefront(TimerRequest(past_due=False))

    assert "nothing to reconcile" in caplog.text
