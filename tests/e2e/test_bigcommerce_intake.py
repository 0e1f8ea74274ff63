"""BigCommerce orders taken by webhook, once each however often the store re-fires, over HTTP.

The real app on devhost and Azurite, the BigCommerce simulator in-process with its hooks
pointing at the app's anonymous `/api/webhooks/bigcommerce` and the custom secret header; the
provider is installed and activated through the API with secrets named by app settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from azure.storage.queue import QueueClient

from services.storefront_intake import STOREFRONT_QUEUE
from simulators.bigcommerce.app import BigCommerceSimulator
from simulators.bigcommerce.callbacks import WebhookConfig
from simulators.server import serve
from tests.support.azurite import ROOT, Azurite, free_port
from tests.support.host_process import start_host
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

STORE_HASH, TOKEN, SECRET = "e2e-store", "e2e-bc-token", "e2e-bc-hook-secret"
SECRET_HEADER = "X-Hub-Webhook-Secret"


@pytest.fixture(scope="module")
def world(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    env = {
        "AzureWebJobsStorage": azurite.connection_string, "OUTBOX_SWEEP_GRACE_SECONDS": "0",
        "E2E_BC_TOKEN": TOKEN, "E2E_BC_HOOK_SECRET": SECRET,
    }  # fmt: skip
    host = start_host(ROOT, env, tmp_path_factory.mktemp("bc") / "host.log")
    port = free_port()
    hooks = WebhookConfig(f"{host.base_url}/api/webhooks/bigcommerce", {SECRET_HEADER: SECRET})
    simulator = BigCommerceSimulator(STORE_HASH, TOKEN, webhooks=hooks)
    server, thread = serve(simulator, port)
    with httpx.Client(base_url=f"{host.base_url}/api", timeout=30) as api:
        yield {"api": api, "bc": f"http://127.0.0.1:{port}", "host": host,
               "storage": azurite.connection_string}  # fmt: skip
    server.shutdown()
    thread.join()
    host.stop()


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def bigcommerce_orders(api: httpx.Client, external_id: str) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = ok(
        api.get("/orders", params={"channel": "bigcommerce", "limit": "200"})
    )["orders"]
    return [o for o in orders if o.get("externalOrderId") == external_id]


def test_a_refired_order_webhook_creates_one_order_and_a_forged_one_nothing(world):
    api, bc = world["api"], world["bc"]
    provider = ok(api.post("/providers", json={
        "definitionId": "bigcommerce", "name": "BigCommerce",
        "parameters": {"baseUrl": bc, "storeHash": STORE_HASH},
        "connections": {"apiToken": "E2E_BC_TOKEN", "webhookSecret": "E2E_BC_HOOK_SECRET"},
    }))  # fmt: skip
    ok(api.post(f"/providers/{provider['instanceId']}/activate"))
    address = {"first_name": "Jane", "last_name": "Doe", "street_1": "555 East Street",
               "city": "Austin", "state": "Texas", "zip": "78108", "country_iso2": "US",
               "email": "janedoe@email.com"}  # fmt: skip
    created = ok(httpx.post(f"{bc}/_admin/orders", json={
        "customer_id": 11, "currency_code": "USD", "billing_address": address,
        "products": [{"sku": "SKU-1", "name": "Towel", "quantity": 2, "price_ex_tax": "10.5",
                      "price_inc_tax": "11.34", "product_id": 71}],
    }))  # fmt: skip
    external_id = str(created["id"])

    emit = {"scope": "store/order/created", "orderId": created["id"]}
    outcomes = [ok(httpx.post(f"{bc}/_admin/webhooks/emit", json=emit)) for _ in range(3)]
    assert [(o["delivered"], o["status"]) for o in outcomes] == [(True, 200)] * 3
    assert len({o["envelope"]["hash"] for o in outcomes}) == 1  # the same callback, re-fired

    wait_until(lambda: len(bigcommerce_orders(api, external_id)) == 1, timeout=60)
    # The three queued messages are all handled; still one order.
    queue = QueueClient.from_connection_string(world["storage"], STOREFRONT_QUEUE)
    wait_until(lambda: _waiting(queue) == 0, timeout=30)
    assert len(bigcommerce_orders(api, external_id)) == 1

    forged = httpx.post(
        f"{world['host'].base_url}/api/webhooks/bigcommerce",
        json={"scope": "store/order/created", "data": {"type": "order", "id": 999},
              "hash": "f" * 40},
        headers={SECRET_HEADER: "not-the-secret"},
    )  # fmt: skip
    assert forged.status_code == 401
    assert _waiting(queue) == 0
    queue.close()


def _waiting(queue: QueueClient) -> int:
    """Messages in the queue, visible or being handled."""
    return int(queue.get_queue_properties().approximate_message_count or 0)
