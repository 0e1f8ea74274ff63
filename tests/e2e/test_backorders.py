"""Backorders end to end: held for lack of stock, released by a goods receipt and the job.

The real app on devhost and Azurite: an order whose product has no stock is backordered by the
optimizer step, a purchase order receipt brings the stock, the release job (run by API) releases
the line into its flow, and an older order's line past the cancellation SLA is cancelled. The
timer may run the same job meanwhile, so counts are summed over the runs in the job log.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.azurite import ROOT, Azurite
from tests.support.host_process import HostProcess, start_host
from tests.support.ids import random_id
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def api(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    env = {"AzureWebJobsStorage": azurite.connection_string, "OUTBOX_SWEEP_GRACE_SECONDS": "0"}
    host: HostProcess = start_host(ROOT, env, tmp_path_factory.mktemp("bo") / "host.log")
    with httpx.Client(base_url=f"{host.base_url}/api", timeout=30) as client:
        yield client
    host.stop()


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def set_up_sourcing(api: httpx.Client, tag: str) -> tuple[str, str]:
    source, warehouse = f"SEA-{tag}", f"WH-{tag}"
    ok(api.post("/sources", json={
        "sourceId": source, "name": "Seattle DC", "shippingSite": "1",
        "shippingWarehouse": warehouse, "location": {"latitude": 47.6, "longitude": -122.3},
    }))  # fmt: skip
    ok(api.post("/strategies", json={
        "name": f"Nearest {tag}", "isDefault": True,
        "sourceList": {"name": f"West {tag}", "sourceIds": [source]},
    }))  # fmt: skip
    ok(api.put("/settings/order-handling", json={"backorders": True, "cancellationSlaDays": 7}))
    only_channel = ok(api.post("/policies", json={
        "name": f"Channel {tag}", "type": "Filter", "entity": "Order",
        "rules": [{"name": "channel", "condition": f"channel eq '{tag}'"}],
    }))["policyId"]  # fmt: skip
    ok(api.post(f"/policies/{only_channel}/publish"))
    flow = ok(api.post("/flows", json={"name": f"Backorders {tag}", "steps": [
        {"stepId": "source", "name": "Source", "action": "Send to Fulfillment Optimization",
         "inputEvents": ["New Order"], "filterPolicies": [only_channel]},
        {"stepId": "ship", "name": "Ship released lines", "action": "Send to Fulfillment",
         "inputEvents": ["Backorder Released"]},
    ]}))  # fmt: skip
    ok(api.post(f"/flows/{flow['flowId']}/publish"))
    return source, warehouse


def order(api: httpx.Client, tag: str, number: str, product: str, ordered: datetime) -> str:
    body = {
        "channel": tag, "externalOrderId": number, "customerId": "C-1", "currency": "USD",
        "orderedAt": ordered.isoformat(),
        "shipTo": {"country": "US", "latitude": 47.0, "longitude": -122.0},
        "lines": [{"productId": product, "quantity": 5, "unitPrice": "3.00"}],
    }  # fmt: skip
    url: str = ok(api.post("/orders", json=body))["url"]
    return url.split("/api", 1)[1]


def line(api: httpx.Client, path: str) -> dict[str, Any]:
    found: dict[str, Any] = api.get(path).json()["lines"][0]
    return found


def receive_purchase_order(api: httpx.Client, warehouse: str, product: str) -> None:
    po = ok(api.post("/purchase-orders", json={
        "vendorId": "V-1", "company": "usmf", "receivingSite": "1",
        "receivingWarehouse": warehouse, "currency": "USD",
        "lines": [{"lineNumber": 1, "productId": product, "quantity": "10"}],
    }))["purchaseOrderId"]  # fmt: skip
    ok(api.post(f"/purchase-orders/{po}/status",
                json={"status": "backorder", "approvalStatus": "confirmed"}))  # fmt: skip
    receipt = {"receiptId": "R-1", "lines": [{"lineNumber": 1, "quantity": "10"}]}
    ok(api.post(f"/purchase-orders/{po}/receipts", json=receipt))


def test_a_receipt_releases_a_backorder_and_the_sla_cancels_an_old_one(api: httpx.Client):
    tag = random_id("bo")
    _, warehouse = set_up_sourcing(api, tag)
    fresh_product, stale_product = f"P-{tag}", f"Q-{tag}"
    now = datetime.now(UTC)
    fresh = order(api, tag, "1", fresh_product, now)
    stale = order(api, tag, "2", stale_product, now - timedelta(days=30))
    for path in (fresh, stale):
        wait_until(lambda p=path: line(api, p)["reason"] == "Backorder Hold", timeout=30)
    incoming_before = ok(api.get(f"/products/{fresh_product}/incoming"))["incoming"]
    assert incoming_before == []

    receive_purchase_order(api, warehouse, fresh_product)
    assert ok(api.get(f"/inventory/{fresh_product}"))["totalAvailable"] == "10"
    run = ok(api.post("/jobs/backorder-release/run"))

    assert run["status"] == "Succeeded", run["details"]
    wait_until(lambda: line(api, fresh)["reason"] == "Backorder Released", timeout=30)
    assert line(api, stale)["state"] == "Canceled"
    released = api.get(fresh).json()
    assert [fl["quantity"] for fo in released["fulfillmentOrders"] for fl in fo["lines"]] == ["5"]
    wait_until(lambda: any(s["stepId"] == "ship" and s["status"] == "Failed"
                           for s in api.get(fresh).json()["stepResults"]))  # fmt: skip
    ship = [s for s in api.get(fresh).json()["stepResults"] if s["stepId"] == "ship"][-1]
    assert "names no provider" in ship["details"]  # sent on; this flow names no provider
    assert ok(api.get(f"/inventory/{fresh_product}"))["totalAvailable"] == "5"
    runs = ok(api.get("/jobs/backorder-release/runs"))["runs"]
    assert sum(r["released"] for r in runs) >= 1
    assert sum(r["cancelled"] for r in runs) >= 1
