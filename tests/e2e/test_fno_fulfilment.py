"""An order fulfilled and invoiced by Finance + Operations, through throttling, over HTTP.

The real app on devhost and Azurite talks to the F&O simulator: the flow assigns company,
invoice customer, site and warehouse by policy and sends the order to F&O; the simulator
throttles the first calls (429 with Retry-After), then takes the order once; picking, packing
and invoicing in F&O come back as business events and move the order to Completed / Fulfilled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulators.fno.app import FnoSimulator
from simulators.server import serve
from tests.support.azurite import ROOT, Azurite, free_port
from tests.support.host_process import start_host
from tests.support.ids import random_id
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

CLIENT_SECRET, EVENTS_SECRET = "e2e-fno-client-secret", "e2e-fno-events-secret"
# Faults go only to the send step's idempotency look-up, never to the inbound-order poller's query.
SEND_LOOKUP = "CustomersOrderReference"


@pytest.fixture(scope="module")
def world(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    env = {
        "AzureWebJobsStorage": azurite.connection_string, "OUTBOX_SWEEP_GRACE_SECONDS": "0",
        "E2E_FNO_CLIENT_SECRET": CLIENT_SECRET, "E2E_FNO_EVENTS_SECRET": EVENTS_SECRET,
        "PROVIDER_RETRY_BASE_SECONDS": "1",
    }  # fmt: skip
    host = start_host(ROOT, env, tmp_path_factory.mktemp("fno") / "host.log")
    port = free_port()
    fno_url = f"http://127.0.0.1:{port}"
    simulator = FnoSimulator(
        "contoso", "hub-app", CLIENT_SECRET, environment_url=fno_url,
        events_url=f"{host.base_url}/api/events/fno", events_secret=EVENTS_SECRET,
    )  # fmt: skip
    server, thread = serve(simulator, port)
    with httpx.Client(base_url=f"{host.base_url}/api", timeout=30) as api:
        yield {"api": api, "fno": fno_url, "host": host}
    server.shutdown()
    thread.join()
    host.stop()


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def policy(api: httpx.Client, definition: dict[str, Any]) -> str:
    policy_id: str = ok(api.post("/policies", json=definition))["policyId"]
    ok(api.post(f"/policies/{policy_id}/publish"))
    return policy_id


def set_up(api: httpx.Client, fno: str, channel: str) -> None:
    provider = ok(api.post("/providers", json={
        "definitionId": "fno", "name": "F&O",
        "parameters": {"baseUrl": fno, "tokenUrl": fno, "tenant": "contoso",
                       "clientId": "hub-app", "dataAreaId": "usmf"},
        "connections": {"clientSecret": "E2E_FNO_CLIENT_SECRET",
                        "webhookSecret": "E2E_FNO_EVENTS_SECRET"},
    }))  # fmt: skip
    ok(api.post(f"/providers/{provider['instanceId']}/activate"))
    only = policy(api, {
        "name": f"Channel {channel}", "type": "Filter", "entity": "Order",
        "rules": [{"name": "c", "condition": f"channel eq '{channel}'"}],
    })  # fmt: skip
    header = policy(api, {
        "name": f"Company {channel}", "type": "Execution", "entity": "Order",
        "criticality": "Critical", "rules": [{"name": "all", "condition": "currency eq 'USD'",
        "actions": [{"field": "company", "value": "usmf"},
                    {"field": "invoiceCustomerId", "value": "US-001"}]}],
    })  # fmt: skip
    lines = policy(api, {
        "name": f"Site {channel}", "type": "Execution", "entity": "Order product",
        "criticality": "Critical", "rules": [{"name": "all", "condition": "quantity gt 0",
        "actions": [{"field": "company", "value": "usmf"},
                    {"field": "shippingSite", "value": "1"},
                    {"field": "shippingWarehouse", "value": "11"}]}],
    })  # fmt: skip
    flow = ok(api.post("/flows", json={"name": f"F&O {channel}", "steps": [
        {"stepId": "assign", "name": "Assign", "action": "Assign by Policy",
         "inputEvents": ["New Order"], "filterPolicies": [only],
         "executionPolicies": [header, lines]},
        {"stepId": "send", "name": "Send to F&O", "action": "Send to Fulfillment",
         "provider": "fno", "inputEvents": ["Assignment by Policy has Succeeded"]},
    ]}))  # fmt: skip
    ok(api.post(f"/flows/{flow['flowId']}/publish"))


def test_fno_fulfils_and_invoices_an_order_through_throttling(world: dict[str, Any]):
    api, fno = world["api"], world["fno"]
    channel = random_id("fno")
    set_up(api, fno, channel)
    throttle = {"status": 429, "count": 2, "retryAfter": 1, "match": SEND_LOOKUP}
    ok(httpx.post(f"{fno}/_admin/faults", json=throttle))

    order = ok(api.post("/orders", json={
        "channel": channel, "externalOrderId": "F-1", "customerId": "US-001",
        "currency": "USD", "shipTo": {"line1": "1 Main St", "city": "Seattle", "country": "US"},
        "lines": [{"productId": "1000", "quantity": 2, "unitPrice": "10.00"},
                  {"productId": "1001", "quantity": 1, "unitPrice": "5.50"}],
    }))  # fmt: skip
    path = order["url"].split("/api", 1)[1]
    wait_until(lambda: api.get(path).json()["reason"] == "Sent To Fulfillment", timeout=90)

    sent = api.get(path).json()
    send = [s for s in sent["stepResults"] if s["stepId"] == "send"]
    assert [s["status"] for s in send] == ["Scheduled", "Retrying", "Retrying", "Succeeded"]
    calls = httpx.get(f"{fno}/_admin/calls").json()["value"]
    created = [c for c in calls if c["method"] == "POST" and "SalesOrderHeadersV2" in c["path"]
               and c["status"] == 201]  # fmt: skip
    assert len(created) == 1  # throttled tries created nothing; the retry created one order
    number = send[-1]["details"].split("salesOrderNumber ")[1].split(",")[0].rstrip(")")

    # The queue may deliver events in any order (the hub copes); waiting makes the timeline exact.
    def timeline() -> list[str]:
        return [e["event"] for e in api.get(f"{path}/timeline").json()["events"]]

    for command, event in (("confirm", "Provider status: confirmed"), ("pick", "Order Picked"),
                           ("pack", "Order Packed"), ("invoice", "Order Invoiced")):  # fmt: skip
        ok(httpx.post(f"{fno}/_admin/orders/usmf/{number}/{command}"))
        wait_until(lambda e=event: e in timeline(), timeout=60)
    final = api.get(path).json()
    assert (final["state"], final["reason"]) == ("Completed", "Fulfilled")
    events = timeline()
    assert events[-4:] == [
        "Provider status: confirmed",
        "Order Picked",
        "Order Packed",
        "Order Invoiced",
    ]


def created_orders(fno: str) -> int:
    calls = httpx.get(f"{fno}/_admin/calls").json()["value"]
    return sum(
        1
        for c in calls
        if c["method"] == "POST" and "SalesOrderHeadersV2" in c["path"] and c["status"] == 201
    )


def test_a_permanently_failing_action_is_poisoned_then_reprocess_completes_it(
    world: dict[str, Any],
):
    api, fno = world["api"], world["fno"]
    channel = random_id("fno")
    set_up(api, fno, channel)
    before = created_orders(fno)
    ok(httpx.post(f"{fno}/_admin/faults", json={"status": 500, "count": 5, "match": SEND_LOOKUP}))

    order = ok(api.post("/orders", json={
        "channel": channel, "externalOrderId": "F-2", "customerId": "US-001",
        "currency": "USD", "shipTo": {"line1": "1 Main St", "city": "Seattle", "country": "US"},
        "lines": [{"productId": "1000", "quantity": 1, "unitPrice": "10.00"}],
    }))  # fmt: skip
    path = order["url"].split("/api", 1)[1]

    def send_results() -> list[dict[str, Any]]:
        steps = api.get(path).json()["stepResults"]
        return [s for s in steps if s["stepId"] == "send"]

    def last_send(status: str) -> bool:
        results = send_results()
        return bool(results) and results[-1]["status"] == status

    wait_until(lambda: last_send("Failed"), timeout=120)
    failed = send_results()[-1]
    assert "gave up after 5 attempts" in failed["details"]

    def provider_error() -> bool:  # logged just after the step's result is saved
        errors = api.get("/errors", params={"orderId": order["orderId"]}).json()["errors"]
        return any(e["kind"] == "Provider action" for e in errors)

    wait_until(provider_error, timeout=30)
    poison = world["host"].log()
    assert "fail_poisoned_flow_step" in poison  # the poisoned copy reached the poison queue

    ok(api.post(f"{path}/reprocess"))  # the fault has cleared (its 5 failures are spent)
    wait_until(lambda: last_send("Succeeded"), timeout=60)

    assert api.get(path).json()["reason"] == "Sent To Fulfillment"
    assert created_orders(fno) == before + 1  # five failed tries and the retry: one document
