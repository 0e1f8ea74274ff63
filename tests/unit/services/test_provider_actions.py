"""The provider action protocol: activation, transient retries with backoff, reprocess."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from adapters.storage.memory_table import MemoryTable
from adapters.storage.providers import TableProviderRepository
from domain.orders.model import SalesOrder
from services.errors import InvalidInput, NotAllowed
from services.orders import operations
from services.orders.commands import PlaceOrder
from services.orders.intake import place_order
from services.orders.ports import ErrorKind
from services.orders.steps import backoff_seconds
from services.providers.catalog import InstallProvider, Providers
from services.providers.gateway import (
    GatewayResult,
    PermanentProviderFailure,
    TransientProviderFailure,
)
from services.providers.runner import ProviderActionRunner
from tests.support.hub import Hub, SequentialIds, make_hub


@dataclass
class ScriptedGateway:
    """A gateway of our own port that fails as scripted, then succeeds; records its keys."""

    failures: list[Exception] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def actions(self) -> frozenset[str]:
        return frozenset({"Send to Fulfillment", "Send Order Lines to Billing"})

    def perform(
        self, action: str, order: SalesOrder, idempotency_key: str, parameters: Mapping[str, str]
    ) -> GatewayResult:
        self.keys.append(idempotency_key)
        if self.failures:
            raise self.failures.pop(0)
        return GatewayResult(f"{action} done", {"salesOrderNumber": "SO-000001"})


def wire(hub: Hub, gateway: ScriptedGateway, *, activate: bool = True) -> Providers:
    table = MemoryTable("Providers")
    table.create()
    providers = Providers(TableProviderRepository(table), hub.clock, SequentialIds())
    hub.engine.providers = ProviderActionRunner(
        providers, lambda i: gateway if i.definition_id == "fno" else None
    )
    instance = providers.install(InstallProvider(
        definition_id="fno", name="F&O", parameters={"dataAreaId": "usmf"},
        connections={"clientSecret": "FNO_CLIENT_SECRET"},
    ))  # fmt: skip
    if activate:
        providers.activate(instance.instance_id)
    hub.flow("To F&O", [
        {"stepId": "send", "name": "Send to F&O", "action": "Send to Fulfillment",
         "provider": "fno", "inputEvents": ["New Order"]},
    ])  # fmt: skip
    return providers


def place(hub: Hub) -> str:
    body: dict[str, Any] = {
        "channel": "web", "externalOrderId": "1", "customerId": "C", "currency": "USD",
        "shipTo": {"country": "US"}, "lines": [{"productId": "P", "quantity": 1}],
    }  # fmt: skip
    return place_order(PlaceOrder.model_validate(body), hub.engine).order_id


def send_results(hub: Hub, order_id: str) -> list[tuple[str, int, int]]:
    order = operations.get_order(hub.engine, order_id)
    return [(r.status.value, r.attempt, r.retry) for r in order.step_results if r.step_id == "send"]


def test_transient_failures_are_retried_with_backoff_honouring_retry_after():
    hub, gateway = make_hub(), ScriptedGateway([
        TransientProviderFailure("429 Too Many Requests", status=429, retry_after=42),
        TransientProviderFailure("503 Service Unavailable", status=503),
    ])  # fmt: skip
    wire(hub, gateway)
    order_id = place(hub)

    hub.drain()

    assert send_results(hub, order_id) == [
        ("Scheduled", 1, 0),
        ("Retrying", 1, 1),
        ("Retrying", 1, 2),
        ("Succeeded", 1, 2),
    ]
    assert hub.publisher.delays[-2:] == [42, 10]  # Retry-After wins, then doubling backoff
    assert len(set(gateway.keys)) == 1  # one idempotency key for every try of the attempt
    details = operations.get_order(hub.engine, order_id).step_results[-1].details
    assert details == "Send to Fulfillment done (salesOrderNumber SO-000001)"


def test_after_the_last_attempt_the_step_fails_visibly_and_the_message_is_poisoned():
    hub = make_hub()
    gateway = ScriptedGateway([TransientProviderFailure("500", status=500)] * 5)
    wire(hub, gateway)
    order_id = place(hub)

    hub.drain()

    assert send_results(hub, order_id)[-1] == ("Failed", 1, 4)
    order = operations.get_order(hub.engine, order_id)
    assert "gave up after 5 attempts" in (order.step_results[-1].details or "")
    assert [q for q, _ in hub.publisher.sent].count("orchestration-steps-poison") == 1
    errors = hub.engine.errors.list(ErrorKind.PROVIDER_ACTION, order_id, None, 10).errors
    assert "gave up after 5 attempts" in errors[0].message

    operations.reprocess(hub.engine, order_id)  # the fault has cleared
    hub.drain()

    assert send_results(hub, order_id)[-1] == ("Succeeded", 2, 0)


def test_a_permanent_failure_fails_at_once():
    hub = make_hub()
    wire(hub, ScriptedGateway([PermanentProviderFailure("401 Unauthorized", status=401)]))
    order_id = place(hub)

    hub.drain()

    assert send_results(hub, order_id) == [("Scheduled", 1, 0), ("Failed", 1, 0)]


def test_a_provider_that_is_not_activated_cannot_be_invoked():
    hub, gateway = make_hub(), ScriptedGateway()
    wire(hub, gateway, activate=False)
    order_id = place(hub)

    hub.drain()

    order = operations.get_order(hub.engine, order_id)
    assert "is not activated" in (order.step_results[-1].details or "")
    assert gateway.keys == []


def test_one_active_instance_per_definition_and_credentials_stay_in_settings():
    hub = make_hub()
    providers = wire(hub, ScriptedGateway())
    second = providers.install(InstallProvider(
        definition_id="fno", name="F&O 2", connections={"clientSecret": "OTHER_SECRET"}
    ))  # fmt: skip

    providers.activate(second.instance_id)

    active = [p.name for p in providers.list() if p.status == "Activated"]
    assert active == ["F&O 2"]
    with pytest.raises(NotAllowed):
        providers.uninstall(second.instance_id)
    with pytest.raises(InvalidInput, match="unknown connections"):
        providers.install(InstallProvider(definition_id="fno", name="x", connections={"pw": "X"}))
    missing = providers.install(InstallProvider(definition_id="sap", name="SAP"))
    with pytest.raises(NotAllowed, match="connections not set: password"):
        providers.activate(missing.instance_id)


@pytest.mark.parametrize(
    ("retry", "retry_after", "delay"),
    [(1, None, 5), (2, None, 10), (3, 1.0, 20), (1, 42, 42), (9, None, 900), (2, 5000, 900)],
)
def test_backoff_doubles_honours_retry_after_and_is_capped(retry, retry_after, delay):
    assert backoff_seconds(retry, retry_after) == delay
