"""Prospect-to-cash from Sales, end to end: an order a Sales user activates becomes a hub order.

The real app on devhost and Azurite, the Sales simulator as Dataverse. The `poll_sync_targets`
timer, run through the host's admin API, reads the activated order and its lines through the
"Sales to Fin and Ops" maps and creates one hub order on channel `sales`; polling again finds
the order linked and creates nothing more.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulators.sales.app import SalesSimulator
from simulators.server import serve
from tests.support.azurite import ROOT, Azurite, free_port
from tests.support.host_process import HostProcess, start_host
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

SALES_SECRET = "e2e-create-back-sales"
HEADER_MAP = "Sales Orders (Sales to Fin and Ops) - Direct: OrderHeader"


@pytest.fixture(scope="module")
def world(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    env = {
        "AzureWebJobsStorage": azurite.connection_string, "OUTBOX_SWEEP_GRACE_SECONDS": "0",
        "E2E_CREATE_BACK_SALES_SECRET": SALES_SECRET,
    }  # fmt: skip
    host = start_host(ROOT, env, tmp_path_factory.mktemp("create-back") / "host.log")
    port = free_port()
    sales_url = f"http://127.0.0.1:{port}"
    sales = SalesSimulator("contoso", "hub-app", SALES_SECRET, environment_url=sales_url)
    server, thread = serve(sales, port)
    with httpx.Client(base_url=f"{host.base_url}/api", timeout=30) as api:
        body = {
            "definitionId": "sales", "name": "sales",
            "parameters": {"baseUrl": sales_url, "tokenUrl": sales_url, "tenant": "contoso",
                           "clientId": "hub-app"},
            "connections": {"clientSecret": "E2E_CREATE_BACK_SALES_SECRET"},
        }  # fmt: skip
        provider = ok(api.post("/providers", json=body))
        ok(api.post(f"/providers/{provider['instanceId']}/activate"))
        yield {"api": api, "sales": sales_url, "host": host}
    server.shutdown()
    thread.join()
    host.stop()


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def _poll(host: HostProcess) -> None:
    """Run the polling timer now; the admin API answers 202 and the function runs after."""
    response = httpx.post(f"{host.base_url}/admin/functions/poll_sync_targets", json={"input": ""})
    assert response.status_code == 202, response.text


def test_an_order_activated_in_sales_becomes_one_hub_order(world: dict[str, Any]):
    api, sales = world["api"], world["sales"]
    reference = {
        "accounts": [{"accountnumber": "US-001", "name": "Contoso"}],
        "products": [{"productnumber": n, "msdyn_productnumber": n} for n in ("1000", "1001")],
    }
    for entity_set, rows in reference.items():
        ok(httpx.post(f"{sales}/_admin/reference/{entity_set}", json={"value": rows}))
    lines = [
        {"productid@odata.bind": f"/products(productnumber='{product}')",
         "uomid@odata.bind": "/uoms(name='Each')", "quantity": quantity, "priceperunit": price}
        for product, quantity, price in (("1000", 3, 10), ("1001", 1, 25.5))
    ]  # fmt: skip
    user_order = {
        "name": "Desk set", "customerid_account@odata.bind": "/accounts(accountnumber='US-001')",
        "shipto_line1": "1 Main St", "shipto_city": "Seattle", "shipto_country": "United States",
        "lines": lines,
    }  # fmt: skip
    created = ok(httpx.post(f"{sales}/_admin/salesorders", json=user_order))
    guid, number = created["salesorderid"], created["ordernumber"]
    ok(httpx.post(f"{sales}/_admin/salesorders/{guid}/activate"))

    def hub_orders() -> list[dict[str, Any]]:
        found = ok(api.get("/orders", params={"channel": "sales"}))["orders"]
        return [o for o in found if o["externalOrderId"] == guid]

    def arrived() -> bool:
        found = hub_orders()
        return len(found) == 1 and len(ok(api.get(f"/orders/{found[0]['orderId']}"))["lines"]) == 2

    _poll(world["host"])
    wait_until(arrived, timeout=60)
    [summary] = hub_orders()
    order = ok(api.get(f"/orders/{summary['orderId']}"))
    assert (order["orderNumber"], order["customerId"], order["currency"]) == (
        number, "US-001", "USD",
    )  # fmt: skip
    assert (order["shipTo"]["city"], order["shipTo"]["country"]) == ("Seattle", "US")
    assert [(line["productId"], line["quantity"], line["unit"]) for line in order["lines"]] == [
        ("1000", "3", "ea"), ("1001", "1", "ea"),
    ]  # fmt: skip

    # A second poll, and a change notification of the same order, find it linked: an echo.
    echoes = _status(api)["echoes"]
    _poll(world["host"])
    notice = {"entity": "salesorders", "key": {"salesorderid": guid}}
    assert api.post("/sync/changes/sales", json=notice).status_code == 202
    wait_until(lambda: _status(api)["echoes"] > echoes, timeout=60)
    time.sleep(2)  # the poll's admin call answers before the poll ends
    assert len(hub_orders()) == 1


def _status(api: httpx.Client) -> dict[str, Any]:
    status: dict[str, Any] = ok(api.get(f"/sync/maps/{HEADER_MAP}"))["status"]
    return status
