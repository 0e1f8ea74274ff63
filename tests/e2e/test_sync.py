"""Dual-write and Prospect-to-cash end to end: the real app on devhost and Azurite, over HTTP.

The F&O simulator notifies the hub of every change to its CDS entities; the Sales simulator is
Dataverse. An order without company is held until the assignment policy sets the fields, then
syncs once; a change made in F&O comes back once and is not echoed; a line F&O refuses records
a Sync Error while the others sync; an F&O order reaches the hub only once confirmed and Sales
only after the sales totals job has calculated its totals.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulators.fno.app import FnoSimulator
from simulators.sales.app import SalesSimulator
from simulators.sales.options import PROCESSING_STATUS
from simulators.server import serve
from tests.support.azurite import ROOT, Azurite, free_port
from tests.support.host_process import start_host
from tests.support.ids import random_id
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

FNO_SECRET, CHANGES_SECRET, SALES_SECRET = "e2e-sync-fno", "e2e-sync-changes", "e2e-sync-sales"
HEADERS = "CDSSalesOrderHeaders"


@pytest.fixture(scope="module")
def world(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    env = {
        "AzureWebJobsStorage": azurite.connection_string, "OUTBOX_SWEEP_GRACE_SECONDS": "0",
        "E2E_SYNC_FNO_SECRET": FNO_SECRET, "E2E_SYNC_CHANGES_SECRET": CHANGES_SECRET,
        "E2E_SYNC_SALES_SECRET": SALES_SECRET, "PROVIDER_RETRY_BASE_SECONDS": "1",
        # The test runs the sales totals job itself: its timer must not run it first.
        "AzureWebJobs_calculate_sales_totals_Disabled": "1",
    }  # fmt: skip
    host = start_host(ROOT, env, tmp_path_factory.mktemp("sync") / "host.log")
    fno_port, sales_port = free_port(), free_port()
    fno_url, sales_url = f"http://127.0.0.1:{fno_port}", f"http://127.0.0.1:{sales_port}"
    fno = FnoSimulator(
        "contoso", "hub-app", FNO_SECRET, environment_url=fno_url,
        changes_url=f"{host.base_url}/api/sync/changes/fno", changes_secret=CHANGES_SECRET,
    )  # fmt: skip
    sales = SalesSimulator("contoso", "hub-app", SALES_SECRET, environment_url=sales_url)
    servers = [serve(fno, fno_port), serve(sales, sales_port)]
    with httpx.Client(base_url=f"{host.base_url}/api", timeout=30) as api:
        _activate(api, "fno", {"baseUrl": fno_url, "tokenUrl": fno_url, "tenant": "contoso",
                               "clientId": "hub-app", "dataAreaId": "usmf"},
                  {"clientSecret": "E2E_SYNC_FNO_SECRET",
                   "webhookSecret": "E2E_SYNC_CHANGES_SECRET"})  # fmt: skip
        _activate(api, "sales", {"baseUrl": sales_url, "tokenUrl": sales_url,
                                 "tenant": "contoso", "clientId": "hub-app"},
                  {"clientSecret": "E2E_SYNC_SALES_SECRET"})  # fmt: skip
        yield {"api": api, "fno": fno_url, "sales": sales_url, "host": host}
    for server, thread in servers:
        server.shutdown()
        thread.join()
    host.stop()


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def _activate(
    api: httpx.Client, definition: str, parameters: dict[str, str], connections: dict[str, str]
) -> None:
    body = {"definitionId": definition, "name": definition, "parameters": parameters,
            "connections": connections}  # fmt: skip
    provider = ok(api.post("/providers", json=body))
    ok(api.post(f"/providers/{provider['instanceId']}/activate"))


def _policy(api: httpx.Client, definition: dict[str, Any]) -> str:
    policy_id: str = ok(api.post("/policies", json=definition))["policyId"]
    ok(api.post(f"/policies/{policy_id}/publish"))
    return policy_id


def _assignment_flow(api: httpx.Client, channel: str) -> None:
    """The seed's data assignment: company and invoice customer for US-001 orders; sites."""
    only = _policy(
        api,
        {
            "name": f"Channel {channel}",
            "type": "Filter",
            "entity": "Order",
            "rules": [{"name": "c", "condition": f"channel eq '{channel}'"}],
        },
    )
    header = _policy(api, {
        "name": f"Company {channel}", "type": "Execution", "entity": "Order",
        "criticality": "Information", "rules": [{"name": "us", "condition":
        "customerId eq 'US-001'", "actions": [{"field": "company", "value": "usmf"},
        {"field": "invoiceCustomerId", "value": "US-001"}]}],
    })  # fmt: skip
    lines = _policy(api, {
        "name": f"Site {channel}", "type": "Execution", "entity": "Order product",
        "criticality": "Information", "rules": [{"name": "all", "condition": "quantity gt 0",
        "actions": [{"field": "company", "value": "usmf"}, {"field": "shippingSite", "value": "1"},
                    {"field": "shippingWarehouse", "value": "11"}]}],
    })  # fmt: skip
    flow = ok(api.post("/flows", json={"name": f"Sync {channel}", "steps": [
        {"stepId": "assign", "name": "Assign", "action": "Assign by Policy",
         "inputEvents": ["New Order"], "filterPolicies": [only],
         "executionPolicies": [header, lines]},
    ]}))  # fmt: skip
    ok(api.post(f"/flows/{flow['flowId']}/publish"))


def _order(api: httpx.Client, channel: str, external_id: str, customer: str, *items: str) -> str:
    body = {
        "channel": channel, "externalOrderId": external_id, "customerId": customer,
        "currency": "USD", "shipTo": {"line1": "1 Main St", "city": "Seattle", "country": "US"},
        "lines": [{"productId": item, "quantity": 3, "unitPrice": "10.00", "discount": "1.00"}
                  for item in items],
    }  # fmt: skip
    url: str = ok(api.post("/orders", json=body))["url"]
    return url.split("/api", 1)[1]


def _calls(url: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = httpx.get(f"{url}/_admin/calls").json()["value"]
    return calls


def test_orders_sync_to_fno_when_ready_changes_come_back_once_and_bad_lines_stand_out(
    world: dict[str, Any],
):
    api, fno = world["api"], world["fno"]
    channel = random_id("sync")
    _assignment_flow(api, channel)
    ok(httpx.post(f"{fno}/_admin/items/unreleased", json={"items": ["9999"]}))

    held = _order(api, channel, "H-1", "XX-999", "1000")
    good = _order(api, channel, "G-1", "US-001", "1000", "9999", "1001")

    def settled() -> bool:
        lines = api.get(good).json()["lines"]
        return lines[1]["syncError"] is not None

    wait_until(settled, timeout=90)
    order = api.get(good).json()
    number = order["orderNumber"]
    assert order["company"] == "usmf"
    assert "9999" in order["lines"][1]["syncError"]
    assert [line["syncError"] for line in order["lines"]][::2] == [None, None]
    query = {"$filter": f"SalesOrderNumber eq '{number}'", "cross-company": "true"}
    token = _fno_token(fno)
    rows = httpx.get(f"{fno}/data/CDSSalesOrderLines", params=query, headers=token).json()
    assert sorted(r["LineCreationSequenceNumber"] for r in rows["value"]) == [1, 3]
    errors = ok(api.get("/errors", params={"orderId": order["orderId"]}))
    assert any("9999" in e["message"] for e in errors["errors"])

    held_order = api.get(held).json()
    assert held_order["company"] is None  # the policy did not assign it: held, never sent
    assert held_order["orderNumber"] is None

    # A change made in F&O comes back once and is not echoed.
    before = len(_calls(fno))
    key = f"dataAreaId='usmf',SalesOrderNumber='{number}'"
    edit = {"DeliveryAddressCity": "Redmond"}
    ok(httpx.patch(f"{fno}/_admin/entities/{HEADERS}({key})", json=edit))
    wait_until(lambda: api.get(good).json()["shipTo"]["city"] == "Redmond", timeout=60)
    time.sleep(3)  # time for the OrderChanged the back-sync caused to be handled
    # Nothing the hub sent reverted the F&O user's change, and the hub kept it.
    header = httpx.get(f"{fno}/data/{HEADERS}({key})", headers=_fno_token(fno)).json()
    assert header["DeliveryAddressCity"] == "Redmond"
    assert api.get(good).json()["shipTo"]["city"] == "Redmond"
    # Handled alone, a change that came from F&O is not sent back (the unit tests pin this;
    # concurrent handlers of one order may still repeat the same value once, see the notes).
    sent = [c for c in _calls(fno)[before:] if c["method"] == "PATCH" and c["status"] < 400]
    assert len(sent) <= 1
    status = ok(api.get(f"/sync/maps/{_HEADER_MAP}"))["status"]
    assert status["synced"] >= 1


_HEADER_MAP = "CDS sales order headers (salesorders)"


def _fno_token(fno: str) -> dict[str, str]:
    form = {"grant_type": "client_credentials", "client_id": "hub-app",
            "client_secret": FNO_SECRET, "scope": f"{fno}/.default"}  # fmt: skip
    token = httpx.post(f"{fno}/contoso/oauth2/v2.0/token", data=form).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_an_fno_order_comes_in_once_confirmed_and_reaches_sales_after_the_totals_job(
    world: dict[str, Any],
):
    api, fno, sales = world["api"], world["fno"], Dataverse(world["sales"])
    sales.reference("accounts", {"accountnumber": "US-001"})
    sales.reference("products", *({"productnumber": n, "msdyn_productnumber": n}
                                  for n in ("1000", "1001")))  # fmt: skip
    number = ok(httpx.post(f"{fno}/_admin/orders", json={
        "dataAreaId": "usmf", "OrderingCustomerAccountNumber": "US-001",
        "InvoiceCustomerAccountNumber": "US-001", "CurrencyCode": "USD",
        "DeliveryAddressName": "Ada", "DeliveryAddressStreet": "1 Main St",
        "DeliveryAddressCity": "Seattle", "DeliveryAddressZipCode": "98101",
        "DeliveryAddressCountryRegionISOCode": "US",
        "lines": [{"ItemNumber": "1000", "OrderedSalesQuantity": 3, "SalesPrice": 10.0,
                   "LineDiscountAmount": 1.0, "SalesUnitSymbol": "ea"},
                  {"ItemNumber": "1001", "OrderedSalesQuantity": 1, "SalesPrice": 25.5,
                   "SalesUnitSymbol": "ea"}],
    }))["SalesOrderNumber"]  # fmt: skip
    header_filter = f"ordernumber eq '{number}'"

    def hub_orders() -> list[dict[str, Any]]:
        found = ok(api.get("/orders", params={"channel": "fno"}))["orders"]
        return [o for o in found if o["externalOrderId"] == f"usmf/{number}"]

    _run_function(world["host"], "pull_fno_orders")
    assert hub_orders() == []  # an F&O order that is not confirmed is not the hub's yet
    ok(httpx.post(f"{fno}/_admin/orders/usmf/{number}/confirm"))
    _run_function(world["host"], "pull_fno_orders")
    wait_until(lambda: len(hub_orders()) == 1, timeout=30)
    _run_function(world["host"], "pull_fno_orders")  # a second pull finds it already here
    [summary] = hub_orders()
    order = ok(api.get(f"/orders/{summary['orderId']}"))
    assert (order["processingStatus"], order["totalsCalculated"]) == ("Confirmed", False)
    time.sleep(3)  # its OrderChanged is handled: the totals are not calculated, so not to Sales
    assert sales.rows("salesorders", header_filter) == []

    run = ok(api.post("/jobs/sales-totals/run"))
    assert run["counts"]["calculated"] >= 1, run
    order = ok(api.get(f"/orders/{summary['orderId']}"))
    assert order["totalsCalculated"] is True
    # 3 x 10.00 less 1.00 a unit in F&O (3.00 a line here) + 25.50
    assert order["totals"]["total"] == "52.50"

    wait_until(lambda: len(sales.rows("salesorders", header_filter)) == 1, timeout=60)
    [header] = sales.rows("salesorders", header_filter, expand=_HEADER_LOOKUPS)
    assert header["msdyn_processingstatus"] == PROCESSING_STATUS["Confirmed"]
    assert header["customerid_account"]["accountnumber"] == "US-001"
    assert header["pricelevelid"]["name"] == "CRM Service USA (sample)"
    assert (header["shipto_city"], header["shipto_country"]) == ("Seattle", "United States")
    assert header["msdyn_isexternallymaintained"] is True
    line_filter = f"_salesorderid_value eq {header['salesorderid']}"
    wait_until(lambda: len(sales.rows("salesorderdetails", line_filter)) == 2, timeout=60)
    lines = sales.rows("salesorderdetails", line_filter, expand="productid($select=productnumber)")
    assert [
        (line["productid"]["productnumber"], line["quantity"], line["priceperunit"],
         line["manualdiscountamount"])
        for line in sorted(lines, key=lambda line: line["sequencenumber"])
    ] == [("1000", 3, 10.0, 3.0), ("1001", 1, 25.5, 0)]  # fmt: skip


_HEADER_LOOKUPS = "customerid_account($select=accountnumber),pricelevelid($select=name)"


def _run_function(host: Any, name: str) -> None:
    """Run a timer function now through the host's admin API and wait for it to finish."""
    response = httpx.post(f"{host.base_url}/admin/functions/{name}", json={"input": ""})
    assert response.status_code == 202, response.text
    time.sleep(2)  # the admin API answers before the function ends


class Dataverse:
    """The Sales simulator's Web API, read as the hub's app user, and its reference rows."""

    def __init__(self, url: str) -> None:
        self.url = url
        form = {"grant_type": "client_credentials", "client_id": "hub-app",
                "client_secret": SALES_SECRET, "scope": f"{url}/.default"}  # fmt: skip
        token = httpx.post(f"{url}/contoso/oauth2/v2.0/token", data=form).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def reference(self, entity_set: str, *rows: dict[str, Any]) -> None:
        """Seed rows that Sales keeps from F&O by dual-write (customers, products)."""
        ok(httpx.post(f"{self.url}/_admin/reference/{entity_set}", json={"value": list(rows)}))

    def rows(self, entity_set: str, where: str, expand: str | None = None) -> list[dict[str, Any]]:
        """The rows matching an OData filter."""
        params = {"$filter": where, **({"$expand": expand} if expand else {})}
        response = httpx.get(f"{self.url}/api/data/v9.2/{entity_set}", params=params,
                             headers=self.headers)  # fmt: skip
        rows: list[dict[str, Any]] = ok(response)["value"]
        return rows
