"""The order core over HTTP: the real app on devhost and Azurite, driven like an operator would.

Every test uses its own channel and a filter policy on it, so the flows other tests publish in
the same storage account never pick up its orders (IOM keeps flows apart the same way).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.azurite import ROOT, Azurite
from tests.support.host_process import HostProcess, start_host
from tests.support.ids import random_id
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

KEY = "e2e-host-key"


@pytest.fixture(scope="module")
def host(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    env = {
        "AzureWebJobsStorage": azurite.connection_string,
        "OUTBOX_SWEEP_GRACE_SECONDS": "0",
        "FUNCTIONS_HOST_KEY": KEY,
    }
    process = start_host(ROOT, env, tmp_path_factory.mktemp("orders") / "host.log")
    yield process
    process.stop()


@pytest.fixture
def api(host: HostProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{host.base_url}/api", headers={"x-functions-key": KEY},
                      timeout=30) as client:  # fmt: skip
        yield client


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201, 202), response.text
    body: dict[str, Any] = response.json()
    return body


def publish_policy(api: httpx.Client, definition: dict[str, Any]) -> str:
    policy_id: str = created(api.post("/policies", json=definition))["policyId"]
    created(api.post(f"/policies/{policy_id}/publish"))
    return policy_id


def seed_flow(api: httpx.Client, channel: str, line_criticality: str = "Information") -> str:
    """The acceptance flow: validate header -> validate lines -> assign, with the seed's policy."""
    only_channel = publish_policy(api, {
        "name": f"Orders from {channel}", "type": "Filter", "entity": "Order",
        "rules": [{"name": "channel", "condition": f"channel eq '{channel}'"}],
    })  # fmt: skip
    us_only = publish_policy(api, {
        "name": "Ship to the US", "type": "Execution", "entity": "Order",
        "criticality": "Critical",
        "rules": [{"name": "US", "condition": "shipTo/country eq 'US'"}],
    })  # fmt: skip
    minimum = publish_policy(api, {
        "name": "At least 5 of each", "type": "Execution", "entity": "Order product",
        "criticality": line_criticality,
        "rules": [{"name": "min qty", "condition": "quantity ge 5"}],
    })  # fmt: skip
    header = publish_policy(api, {
        "name": "Company and invoice customer", "type": "Execution", "entity": "Order",
        "criticality": "Critical",
        "rules": [{"name": "no company yet", "condition": "_msdyn_company_value eq null",
                   "actions": [{"field": "company", "value": "USMF"},
                               {"field": "invoiceCustomerId", "value": "US-001"}]}],
    })  # fmt: skip
    lines = publish_policy(api, {
        "name": "Company, site and warehouse", "type": "Execution", "entity": "Order product",
        "criticality": "Critical",
        "rules": [{"name": "all lines", "condition": "quantity gt 0",
                   "actions": [{"field": "company", "value": "USMF"},
                               {"field": "shippingSite", "value": "1"},
                               {"field": "shippingWarehouse", "value": "11"}]}],
    })  # fmt: skip
    flow = created(api.post("/flows", json={"name": f"Seed flow {channel}", "steps": [
        {"stepId": "validate-header", "name": "Validate header", "action": "Validate Order Header",
         "inputEvents": ["New Order"], "filterPolicies": [only_channel],
         "executionPolicies": [us_only]},
        {"stepId": "validate-lines", "name": "Validate lines", "action": "Validate Order Lines",
         "inputEvents": ["Validation of Order Header has Succeeded"],
         "executionPolicies": [minimum]},
        {"stepId": "assign", "name": "Assign", "action": "Assign by Policy",
         "inputEvents": ["Validation of Order Lines has Succeeded"],
         "executionPolicies": [header, lines]},
    ]}))  # fmt: skip
    flow_id: str = flow["flowId"]
    assert created(api.post(f"/flows/{flow_id}/publish"))["status"] == "Published"
    return flow_id


def an_order(
    channel: str, external_id: str, quantities: tuple[int, ...] = (10, 7)
) -> dict[str, Any]:
    return {
        "channel": channel,
        "externalOrderId": external_id,
        "customerId": "CUST-42",
        "currency": "USD",
        "shipTo": {"name": "Ada Lovelace", "line1": "1 Main St", "city": "Seattle",
                   "stateOrProvince": "WA", "postalCode": "98101", "country": "US"},
        "lines": [{"productId": f"P-{n}", "quantity": q, "unitPrice": "12.50", "unit": "ea"}
                  for n, q in enumerate(quantities, start=1)],
    }  # fmt: skip


def settled(api: httpx.Client, url: str, reason: str) -> dict[str, Any]:
    """The order once it shows the reason and no step is still scheduled."""
    found: dict[str, Any] = {}

    def done() -> bool:
        found.update(api.get(url).json())
        latest = {s["stepId"]: s["status"] for s in found.get("stepResults", [])}
        return found.get("reason") == reason and "Scheduled" not in latest.values()

    wait_until(done, timeout=60)
    return found


def test_an_order_reaches_its_assigned_state_through_a_published_flow(api: httpx.Client):
    channel = random_id("shop")
    seed_flow(api, channel)

    posted = api.post("/orders", json=an_order(channel, "SO-1"))
    assert posted.status_code == 202, posted.text
    url = posted.json()["url"]
    order = settled(api, url, "Ready to be Fulfilled")

    assert (order["state"], order["company"], order["invoiceCustomerId"]) == (
        "In Progress",
        "USMF",
        "US-001",
    )
    assert order["readyToSync"] is True
    for line in order["lines"]:
        assert (line["company"], line["shippingSite"], line["shippingWarehouse"]) == (
            "USMF",
            "1",
            "11",
        )
        assert (line["state"], line["reason"], line["readyToSync"]) == (
            "In Progress",
            "Ready to be Fulfilled",
            True,
        )
    steps = [(s["stepId"], s["status"], s["attempt"]) for s in order["stepResults"]]
    assert steps == [
        ("validate-header", "Scheduled", 1), ("validate-header", "Succeeded", 1),
        ("validate-lines", "Scheduled", 1), ("validate-lines", "Succeeded", 1),
        ("assign", "Scheduled", 1), ("assign", "Succeeded", 1),
    ]  # fmt: skip
    timeline = api.get(f"{url}/timeline").json()["events"]
    assert [e["event"] for e in timeline] == [
        "New Order", "Validation of Order Header has Succeeded",
        "Validation of Order Lines has Succeeded", "Assignment by Policy has Succeeded",
    ]  # fmt: skip
    assert timeline[-1]["changes"][-1]["to"] == "In Progress / Ready to be Fulfilled"
    listed = api.get("/orders", params={"reason": "Ready to be Fulfilled", "channel": channel})
    assert [o["orderId"] for o in listed.json()["orders"]] == [order["orderId"]]


def test_five_concurrent_posts_of_one_order_give_one_order_and_one_run(api: httpx.Client):
    channel = random_id("shop")
    seed_flow(api, channel)
    body = an_order(channel, "SO-CONCURRENT")

    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(lambda _: api.post("/orders", json=body), range(5)))

    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 200, 200, 200, 202], [r.text for r in responses]
    assert len({r.json()["orderId"] for r in responses}) == 1
    order = settled(api, responses[0].json()["url"], "Ready to be Fulfilled")
    runs = [s["stepId"] for s in order["stepResults"] if s["status"] == "Succeeded"]
    assert runs == ["validate-header", "validate-lines", "assign"]
    events = [
        e["event"] for e in api.get(f"{responses[0].json()['url']}/timeline").json()["events"]
    ]
    assert events.count("New Order") == 1
    listed = api.get("/orders", params={"channel": channel}).json()["orders"]
    assert len(listed) == 1


def test_a_critical_failure_stops_the_flow_and_reprocess_resumes_it(api: httpx.Client):
    channel = random_id("shop")
    seed_flow(api, channel, line_criticality="Critical")

    url = created(api.post("/orders", json=an_order(channel, "SO-SHORT", (10, 2))))["url"]
    order = settled(api, url, "Order Validation Failed")

    assert order["state"] == "On Hold"
    short = order["lines"][1]
    assert (short["state"], short["reason"]) == ("On Hold", "Order Line Validation Failed")
    assert "At least 5 of each" in short["findings"][0]["message"]
    assert order["lines"][0]["reason"] == "New"
    assert {s["stepId"] for s in order["stepResults"]} == {"validate-header", "validate-lines"}

    def error_kinds() -> set[str]:
        errors = api.get("/errors", params={"orderId": order["orderId"]}).json()["errors"]
        return {e["kind"] for e in errors}

    wait_until(lambda: error_kinds() == {"Policy", "Orchestration step"})  # logged after commit

    assert api.post(f"{url}/reprocess").status_code == 202
    order = settled(api, url, "Order Validation Failed")  # still short: fails again, visibly
    attempts = [s["attempt"] for s in order["stepResults"] if s["stepId"] == "validate-lines"]
    assert max(attempts) == 2


def test_bad_input_is_refused_with_the_field_and_writes_nothing(api: httpx.Client):
    channel = random_id("shop")
    cases = [
        ({**an_order(channel, "B-1"), "lines": []}, 400, "lines"),
        ({**an_order(channel, "B-2"), "currency": "ABC"}, 400, "currency"),
        ({**an_order(channel, "B-3"), "lines": [{"productId": "P", "quantity": 0}]}, 400,
         "lines.0.quantity"),
    ]  # fmt: skip
    for body, status, field in cases:
        response = api.post("/orders", json=body)
        assert (response.status_code, response.json()["error"]["field"]) == (status, field)
    malformed = api.post(
        "/orders", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert (malformed.status_code, malformed.json()["error"]["code"]) == (400, "InvalidJson")
    huge = api.post("/orders", content=b'{"pad": "' + b"x" * (1024 * 1024 + 1) + b'"}')
    assert huge.status_code == 413
    assert api.get("/orders", params={"channel": channel}).json()["orders"] == []
    for params, field in [
        ({"state": "Lost"}, "state"),
        ({"createdFrom": "yesterday"}, "createdFrom"),
        ({"createdTo": "2026-11-23T00:00:00"}, "createdTo"),
        ({"limit": "0"}, "limit"),
        ({"continuation": "not-a-token"}, "continuation"),
    ]:
        listed = api.get("/orders", params=params)
        assert (listed.status_code, listed.json()["error"]["field"]) == (400, field)


def test_orders_are_listed_by_state_and_date_a_page_at_a_time(api: httpx.Client):
    channel = random_id("shop")
    for number in range(3):
        created(api.post("/orders", json=an_order(channel, f"L-{number}")))
    since = "2000-01-01T00:00:00Z"
    params = {"channel": channel, "state": "New", "createdFrom": since, "limit": "2"}

    first = api.get("/orders", params=params).json()
    rest = api.get("/orders", params={**params, "continuation": first["continuation"]}).json()

    ids = [o["orderId"] for o in first["orders"] + rest["orders"]]
    assert (len(first["orders"]), len(ids), len(set(ids))) == (2, 3, 3)
    assert rest["continuation"] is None
    assert api.get("/orders", params={**params, "createdTo": since}).json()["orders"] == []


def test_the_operator_api_needs_a_function_key(host: HostProcess):
    response = httpx.get(f"{host.base_url}/api/orders", timeout=10)
    assert response.status_code == 401
    assert httpx.get(f"{host.base_url}/api/openapi.json", timeout=10).status_code == 200
