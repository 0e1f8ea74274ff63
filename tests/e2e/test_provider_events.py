"""Provider status events over HTTP: secret checked, queued, applied once, never backwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.azurite import ROOT, Azurite
from tests.support.host_process import start_host
from tests.support.ids import random_id
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

SECRET = "e2e-fno-webhook-secret"


@pytest.fixture(scope="module")
def api(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    env = {
        "AzureWebJobsStorage": azurite.connection_string,
        "OUTBOX_SWEEP_GRACE_SECONDS": "0",
        "E2E_FNO_WEBHOOK_SECRET": SECRET,
    }
    host = start_host(ROOT, env, tmp_path_factory.mktemp("events") / "host.log")
    with httpx.Client(base_url=f"{host.base_url}/api", timeout=30) as client:
        yield client
    host.stop()


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def test_events_move_the_order_once_and_in_order(api: httpx.Client):
    provider = ok(api.post("/providers", json={
        "definitionId": "fno", "name": "F&O e2e",
        "connections": {"clientSecret": "UNUSED", "webhookSecret": "E2E_FNO_WEBHOOK_SECRET"},
    }))  # fmt: skip
    ok(api.post(f"/providers/{provider['instanceId']}/activate"))
    assert SECRET not in api.get("/providers").text  # only the setting name is kept
    channel = random_id("ev")
    only = ok(api.post("/policies", json={
        "name": f"Channel {channel}", "type": "Filter", "entity": "Order",
        "rules": [{"name": "c", "condition": f"channel eq '{channel}'"}],
    }))["policyId"]  # fmt: skip
    ok(api.post(f"/policies/{only}/publish"))
    flow = ok(api.post("/flows", json={"name": f"Events {channel}", "steps": [
        {"stepId": "lines", "name": "Validate lines", "action": "Validate Order Lines",
         "inputEvents": ["New Order"], "filterPolicies": [only]},
    ]}))  # fmt: skip
    ok(api.post(f"/flows/{flow['flowId']}/publish"))
    order = ok(api.post("/orders", json={
        "channel": channel, "externalOrderId": "E-1", "customerId": "C", "currency": "USD",
        "shipTo": {"country": "US"}, "lines": [{"productId": "P", "quantity": 1}],
    }))  # fmt: skip
    path = order["url"].split("/api", 1)[1]
    wait_until(
        lambda: api.get(path).json()["reason"] == "Order Line Validation Success", timeout=60
    )

    def send(event_id: str, status: str, secret: str = SECRET) -> httpx.Response:
        body = {"eventId": event_id, "status": status, "channel": channel,
                "externalOrderId": "E-1"}  # fmt: skip
        return api.post("/events/fno", json=body, headers={"x-provider-secret": secret})

    assert send("bad", "picked", secret="wrong").status_code == 401
    for _ in range(3):
        assert send("ev-1", "picked").status_code == 202
    wait_until(lambda: api.get(path).json()["reason"] == "Picked", timeout=60)
    assert send("ev-2", "invoiced").status_code == 202
    wait_until(lambda: api.get(path).json()["reason"] == "Fulfilled", timeout=60)
    assert send("ev-3", "shipped").status_code == 202  # arrives after the invoice
    wait_until(lambda: len([e for e in api.get(f"{path}/timeline").json()["events"]
                            if e["event"] == "Provider status: shipped"]) == 1,
               timeout=60)  # fmt: skip

    final = api.get(path).json()
    assert (final["state"], final["reason"]) == ("Completed", "Fulfilled")
    events = [e["event"] for e in api.get(f"{path}/timeline").json()["events"]]
    assert events.count("Order Picked") == 1
    assert events[-2:] == ["Order Invoiced", "Provider status: shipped"]
    assert send("x", "picked").status_code == 202  # unknown events are queued, then harmless
    assert api.post("/events/nobody", json={"eventId": "1", "status": "picked",
                                            "orderId": "o"}).status_code == 404  # fmt: skip
