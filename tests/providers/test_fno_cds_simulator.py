"""The F&O simulator's entity sets on the wire: CDS views of the V2 rows, keys, ETags, PATCH."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from simulators.fno import FnoSimulator
from simulators.server import serve

TENANT, CLIENT_ID, SECRET = "contoso", "hub-app", "s3cret"
ENVIRONMENT = "https://contoso.sandbox.operations.dynamics.com"
HEADER_KEY = "dataAreaId='usmf',SalesOrderNumber='SO-000001'"


@dataclass
class Wire:
    sim: FnoSimulator
    url: str
    http: httpx.Client

    def data(self, method: str, resource: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"{self.url}/data/{resource}", **kwargs)

    def order(self) -> None:
        header = {"dataAreaId": "usmf", "OrderingCustomerAccountNumber": "US-001"}
        assert self.data("POST", "CDSSalesOrderHeaders", json=header).status_code == 201
        line = {"dataAreaId": "usmf", "SalesOrderNumber": "SO-000001", "ProductNumber": "ITEM-1",
                "ProductName": "Widget", "OrderedSalesQuantity": 2, "SalesPrice": 5}  # fmt: skip
        assert self.data("POST", "CDSSalesOrderLines", json=line).status_code == 201


def simulator(**options: Any) -> FnoSimulator:
    return FnoSimulator(TENANT, CLIENT_ID, SECRET, environment_url=ENVIRONMENT, **options)


@pytest.fixture
def wire() -> Iterator[Wire]:
    sim = simulator(changes_url="http://127.0.0.1:9/unreachable")
    server, thread = serve(sim, 0)
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(timeout=5) as http:
        form = {"grant_type": "client_credentials", "client_id": CLIENT_ID,
                "client_secret": SECRET, "scope": f"{ENVIRONMENT}/.default"}  # fmt: skip
        token = http.post(f"{url}/{TENANT}/oauth2/v2.0/token", data=form).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        yield Wire(sim, url, http)
    sim.changes.wait()
    server.shutdown()
    thread.join(timeout=5)


def test_the_cds_line_is_a_view_of_the_v2_line(wire: Wire) -> None:
    wire.order()
    [v2] = wire.data("GET", "SalesOrderLines").json()["value"]
    cds = wire.data("GET", f"CDSSalesOrderLines({HEADER_KEY},LineCreationSequenceNumber=1)")
    assert cds.status_code == 200
    assert (v2["ItemNumber"], v2["LineDescription"]) == ("ITEM-1", "Widget")
    assert (cds.json()["ProductNumber"], cds.json()["ProductName"]) == ("ITEM-1", "Widget")
    assert "ItemNumber" not in cds.json()
    assert "InventoryLotId" not in cds.json()
    assert cds.json()["@odata.etag"] == v2["@odata.etag"] == cds.headers["ETag"]
    by_lot = wire.data(
        "GET", f"SalesOrderLines(dataAreaId='usmf',InventoryLotId='{v2['InventoryLotId']}')"
    )
    assert by_lot.json()["LineAmount"] == 10
    found = wire.data("GET", "CDSSalesOrderLines", params={"$filter": "ProductNumber eq 'ITEM-1'"})
    assert len(found.json()["value"]) == 1


def test_patch_honours_if_match_and_answers_204_with_the_new_etag(wire: Wire) -> None:
    wire.order()
    url = f"CDSSalesOrderHeaders({HEADER_KEY})"
    before = wire.data("GET", url).json()["@odata.etag"]
    patched = wire.data("PATCH", url, json={"Email": "a@b.c"}, headers={"If-Match": before})
    assert patched.status_code == 204
    assert patched.headers["ETag"] != before
    stale = wire.data("PATCH", url, json={"Email": "x@y.z"}, headers={"If-Match": before})
    assert stale.status_code == 412
    assert "changed by another user" in stale.json()["error"]["message"]
    anyway = wire.data("PATCH", url, json={"Email": "x@y.z"}, headers={"If-Match": "*"})
    assert anyway.status_code == 204
    assert wire.data("GET", "SalesOrderHeadersV2").json()["value"][0]["Email"] == "x@y.z"


def test_documents_posted_in_fno_move_every_etag_and_modified_time(wire: Wire) -> None:
    wire.order()
    rows = [
        wire.data("GET", s).json()["value"][0] for s in ("SalesOrderHeadersV2", "SalesOrderLines")
    ]
    time.sleep(0.002)  # ModifiedDateTime has milliseconds
    wire.http.post(f"{wire.url}/_admin/orders/usmf/SO-000001/confirm").raise_for_status()
    after = [
        wire.data("GET", s).json()["value"][0] for s in ("SalesOrderHeadersV2", "SalesOrderLines")
    ]
    for old, new in zip(rows, after, strict=True):
        assert new["@odata.etag"] != old["@odata.etag"]
        assert new["ModifiedDateTime"] > old["ModifiedDateTime"]


def create_line(wire: Wire, entity_set: str, amounts: dict[str, Any]) -> None:
    """One line (item ITEM-1, 3 at 10.00 unless `amounts` says otherwise) on a new order."""
    header = {"dataAreaId": "usmf", "OrderingCustomerAccountNumber": "US-001"}
    line = {"OrderedSalesQuantity": 3, "SalesPrice": 10, **amounts}
    if entity_set == "/_admin/orders":
        order = {**header, "lines": [{"ItemNumber": "ITEM-1", **line}]}
        assert wire.http.post(f"{wire.url}/_admin/orders", json=order).status_code == 201
        return
    assert wire.data("POST", "SalesOrderHeadersV2", json=header).status_code == 201
    item = "ProductNumber" if entity_set.startswith("CDS") else "ItemNumber"
    body = {"dataAreaId": "usmf", "SalesOrderNumber": "SO-000001", item: "ITEM-1", **line}
    assert wire.data("POST", entity_set, json=body).status_code == 201


@pytest.mark.parametrize("entity_set", ["SalesOrderLines", "CDSSalesOrderLines", "/_admin/orders"])
@pytest.mark.parametrize(
    ("amounts", "line_amount", "order_total"),
    [
        ({"LineDiscountAmount": 3.33}, 20.01, 20.01),  # 3 x 10.00 - 3 x 3.33
        ({"LineDiscountAmount": 3.33, "FixedPriceCharges": -0.01}, 20.01, 20.0),
        ({"LineDiscountAmount": 3.33, "LineDiscountPercentage": 10}, 18.01, 18.01),  # 20.01 x 0.9
        ({"FixedPriceCharges": 2.5}, 30, 32.5),
        ({"OrderedSalesQuantity": 1.5, "LineDiscountAmount": 1}, 13.5, 13.5),
    ],
)
def test_the_line_discount_amount_is_per_unit_whichever_set_created_the_line(
    wire: Wire, entity_set: str, amounts: dict[str, Any], line_amount: float, order_total: float
) -> None:
    create_line(wire, entity_set, amounts)
    [line] = wire.data("GET", "SalesOrderLines").json()["value"]
    [header] = wire.data("GET", "SalesOrderHeadersV2").json()["value"]
    assert (line["LineAmount"], header["OrderTotalAmount"]) == (line_amount, order_total)


def test_changing_the_quantity_keeps_the_discount_per_unit(wire: Wire) -> None:
    create_line(wire, "SalesOrderLines", {"LineDiscountAmount": 3.33, "FixedPriceCharges": -0.01})
    [line] = wire.data("GET", "SalesOrderLines").json()["value"]
    key = f"SalesOrderLines(dataAreaId='usmf',InventoryLotId='{line['InventoryLotId']}')"
    assert wire.data("PATCH", key, json={"OrderedSalesQuantity": 6}).status_code == 204
    assert wire.data("GET", key).json()["LineAmount"] == 40.02  # 6 x (10.00 - 3.33)
    [header] = wire.data("GET", "SalesOrderHeadersV2").json()["value"]
    assert header["OrderTotalAmount"] == 40.01  # the line's sales charge is in the total


@pytest.mark.parametrize(
    ("resource", "body", "message"),
    [
        (f"CDSSalesOrderHeaders({HEADER_KEY})", {"OrderTotalAmount": 1}, "read-only"),
        (f"CDSSalesOrderHeaders({HEADER_KEY})", {"Colour": "red"}, "does not exist"),
        (f"CDSSalesOrderHeaders({HEADER_KEY})", {"SalesOrderNumber": "X"}, "cannot be changed"),
        ("CDSSalesOrderHeaders(dataAreaId='usmf')", {"Email": "a"}, "keyed by"),
        ("CDSSalesOrderLines", {"ItemNumber": "A"}, "does not exist"),
    ],
)
def test_bad_writes_are_refused_as_fno_does(
    wire: Wire, resource: str, body: dict[str, Any], message: str
) -> None:
    wire.order()
    method = "POST" if "(" not in resource else "PATCH"
    response = wire.data(method, resource, json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_headers_take_a_given_number_once_and_otherwise_the_sequence(wire: Wire) -> None:
    body = {
        "dataAreaId": "usmf",
        "OrderingCustomerAccountNumber": "US-1",
        "SalesOrderNumber": "SO-000001",
    }
    assert wire.data("POST", "CDSSalesOrderHeaders", json=body).status_code == 201
    assert wire.data("POST", "CDSSalesOrderHeaders", json=body).status_code == 400
    del body["SalesOrderNumber"]
    created = wire.data("POST", "CDSSalesOrderHeaders", json=body).json()
    assert created["SalesOrderNumber"] == "SO-000002"


def test_an_unreachable_change_receiver_never_fails_the_request(wire: Wire) -> None:
    wire.order()
    assert wire.sim.changes.wait()
    statuses = wire.http.get(f"{wire.url}/_admin/changes").json()["value"]
    assert [s["deliveryStatus"] for s in statuses] == [None, None, None]


def test_orderby_sorts_and_pages_keep_the_order(wire: Wire) -> None:
    for _ in range(3):
        body = {"dataAreaId": "usmf", "OrderingCustomerAccountNumber": "US-1"}
        wire.data("POST", "SalesOrderHeadersV2", json=body)
    wire.sim.data.page_size = 2
    query = {"$orderby": "SalesOrderNumber desc", "cross-company": "true"}
    first = wire.data("GET", "CDSSalesOrderHeaders", params=query).json()
    rest = wire.http.get(first["@odata.nextLink"]).json()
    numbers = [r["SalesOrderNumber"] for r in first["value"] + rest["value"]]
    assert numbers == ["SO-000003", "SO-000002", "SO-000001"]


def test_from_env_reads_the_changes_url_and_secret() -> None:
    sim = FnoSimulator.from_env(
        {"FNO_SIM_CHANGES_URL": "http://hub/api/sync/fno", "FNO_SIM_CHANGES_SECRET": "s"}
    )
    assert (sim.changes.url, sim.changes.secret) == ("http://hub/api/sync/fno", "s")
    assert simulator().changes.url is None
