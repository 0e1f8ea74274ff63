"""F&O documents and inbound orders: posting confirm/pick/pack/invoice raises business events,
confirmed orders are listed (paged, cross-company) and map to a valid PlaceOrder."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from werkzeug.wrappers import Request, Response

from providers.fno.auth import ClientCredentialsTokens
from providers.fno.client import FnoClient
from providers.fno.gateway import pull_confirmed_orders
from providers.fno.mapping import place_order
from simulators.fno import EVENT_SECRET_HEADER, FnoSimulator
from simulators.server import serve

TENANT, CLIENT_ID, SECRET = "contoso", "hub-app", "s3cret"
ENVIRONMENT = "https://contoso.sandbox.operations.dynamics.com"
EVENT_SECRET = "evt-shared-secret"


@dataclass
class Capture:
    """An events endpoint that keeps each request's headers and JSON body."""

    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        with self.lock:
            self.received.append((dict(request.headers), json.loads(request.get_data())))
        return Response(status=202)(environ, start_response)


@dataclass
class Env:
    sim: FnoSimulator
    url: str
    http: httpx.Client
    client: FnoClient
    events: Capture

    def create(self, area: str = "usmf", **header: Any) -> str:
        body = {
            "dataAreaId": area, "OrderingCustomerAccountNumber": "US-001",
            "CurrencyCode": "USD", "CustomersOrderReference": "PO-77",
            "DeliveryAddressName": "Ada", "DeliveryAddressStreet": "1 Main St",
            "DeliveryAddressCity": "Seattle", "DeliveryAddressStateId": "WA",
            "DeliveryAddressZipCode": "98101", "DeliveryAddressCountryRegionISOCode": "US",
            **header,
            "lines": [
                {"ItemNumber": "ITEM-1", "OrderedSalesQuantity": 2, "SalesPrice": 19.99,
                 "LineDiscountAmount": 1.5, "FixedPriceCharges": 0.25, "ShippingSiteId": "1",
                 "ShippingWarehouseId": "11", "CustomersLineNumber": 1},
                {"ItemNumber": "ITEM-2", "OrderedSalesQuantity": 1, "SalesPrice": 5},
            ],
        }  # fmt: skip
        response = self.http.post(f"{self.url}/_admin/orders", json=body)
        assert response.status_code == 201
        return str(response.json()["SalesOrderNumber"])

    def post(self, area: str, number: str, command: str) -> httpx.Response:
        return self.http.post(f"{self.url}/_admin/orders/{area}/{number}/{command}")


@pytest.fixture
def env() -> Iterator[Env]:
    capture = Capture()
    events_server, events_thread = serve(capture, 0)
    sim = FnoSimulator(
        TENANT, CLIENT_ID, SECRET, environment_url=ENVIRONMENT, page_size=1,
        events_url=f"http://127.0.0.1:{events_server.port}/events", events_secret=EVENT_SECRET,
    )  # fmt: skip
    server, thread = serve(sim, 0)
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(timeout=5) as http:
        tokens = ClientCredentialsTokens(
            http, authority=url, tenant=TENANT, client_id=CLIENT_ID, client_secret=SECRET,
            scope=f"{ENVIRONMENT}/.default",
        )  # fmt: skip
        yield Env(sim, url, http, FnoClient(http, url, tokens), capture)
    for running, worker in ((server, thread), (events_server, events_thread)):
        running.shutdown()
        worker.join(timeout=5)


def test_posting_documents_moves_statuses_and_raises_events(env: Env) -> None:
    number = env.create()
    steps = [
        ("confirm", "confirmed", "Confirmed", "Backorder"),
        ("pick", "picked", "Picked", "Backorder"),
        ("pack", "packed", "Delivered", "Delivered"),
        ("invoice", "invoiced", "Invoiced", "Invoiced"),
    ]
    for command, event, processing, sales_status in steps:
        assert env.post("usmf", number, command).status_code == 200
        header = env.client.get_order("usmf", number)
        assert header is not None
        assert header.sales_order_processing_status == processing
        assert header.sales_order_status == sales_status
        lines = env.client.order_lines("usmf", number)
        assert {line.sales_order_line_status for line in lines} == {sales_status}
        headers, payload = env.events.received[-1]
        assert headers[EVENT_SECRET_HEADER] == EVENT_SECRET
        assert payload["provider"] == "fno"
        assert payload["event"] == event
        assert payload["dataAreaId"] == "usmf"
        assert payload["salesOrderNumber"] == number
        assert payload["customersOrderReference"] == "PO-77"
        assert [line["itemNumber"] for line in payload["lines"]] == ["ITEM-1", "ITEM-2"]
        assert payload["lines"][0]["shippingWarehouseId"] == "11"
        assert payload["lines"][0]["status"] == sales_status
        assert payload["eventId"]
        assert datetime.fromisoformat(payload["occurredAt"]).tzinfo is not None
    assert len({payload["eventId"] for _, payload in env.events.received}) == 4
    delivered = env.http.get(f"{env.url}/_admin/events").json()["value"]
    assert [event["deliveryStatus"] for event in delivered] == [202] * 4


def test_invoicing_creates_a_sales_invoice(env: Env) -> None:
    number = env.create()
    env.post("usmf", number, "confirm")
    assert env.client.invoices_for_order("usmf", number) == []
    env.post("usmf", number, "invoice")
    [invoice] = env.client.invoices_for_order("usmf", number)
    assert invoice.invoice_number.startswith("CIV-")
    assert invoice.sales_order_number == number
    assert invoice.customers_order_reference == "PO-77"
    # 2 x (19.99 - 1.50 a unit) + 0.25 sales charges + 5
    assert invoice.total_invoice_amount == Decimal("42.23")


def test_documents_follow_the_order_of_the_process(env: Env) -> None:
    number = env.create()
    assert env.post("usmf", number, "pick").status_code == 409
    assert env.post("usmf", number, "ship").status_code == 404
    assert env.post("usmf", "SO-999999", "confirm").status_code == 404
    env.post("usmf", number, "confirm")
    env.post("usmf", number, "invoice")
    assert env.post("usmf", number, "pack").status_code == 409
    assert len(env.events.received) == 2


def test_only_confirmed_orders_are_listed_across_pages_and_companies(env: Env) -> None:
    first, _, third = env.create(), env.create(), env.create("demf")
    env.post("usmf", first, "confirm")
    env.post("demf", third, "confirm")
    listed = env.client.confirmed_orders()
    assert [(h.data_area_id, h.sales_order_number) for h in listed] == [
        ("usmf", first),
        ("demf", third),
    ]
    assert any("%24skip=1" in call.query for call in env.sim.calls)  # followed @odata.nextLink
    assert env.client.confirmed_orders(datetime.now(UTC) + timedelta(hours=1)) == []


def test_without_cross_company_only_the_default_company_answers(env: Env) -> None:
    env.create("usmf")
    env.create("demf")
    token = env.http.post(
        f"{env.url}/{TENANT}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": CLIENT_ID,
              "client_secret": SECRET, "scope": f"{ENVIRONMENT}/.default"},
    ).json()["access_token"]  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{env.url}/data/SalesOrderHeadersV2"
    default = env.http.get(url, params={"$top": "5"}, headers=headers).json()
    assert [row["dataAreaId"] for row in default["value"]] == ["usmf"]
    everywhere = env.http.get(url, params={"cross-company": "true"}, headers=headers).json()
    assert [row["dataAreaId"] for row in everywhere["value"]] == ["usmf"]  # page size 1
    rest = env.http.get(everywhere["@odata.nextLink"], headers=headers).json()
    assert [row["dataAreaId"] for row in rest["value"]] == ["demf"]
    assert "@odata.nextLink" not in rest
    capped = env.http.get(url, params={"cross-company": "true", "$top": "1"}, headers=headers)
    assert "@odata.nextLink" not in capped.json()  # $top caps the result, not the page
    bad = env.http.get(url, params={"$filter": "dataAreaId eq"}, headers=headers)
    assert bad.status_code == 400


def test_a_confirmed_fno_order_maps_to_a_valid_place_order(env: Env) -> None:
    number = env.create()
    env.post("usmf", number, "confirm")
    [command] = pull_confirmed_orders(env.client, None)
    assert command.channel == "fno"
    assert command.external_order_id == f"usmf/{number}"
    assert command.order_number == number
    assert command.customer_id == "US-001"
    assert command.customer_order_reference == "PO-77"
    assert command.currency == "USD"
    assert command.ship_to.country == "US"
    assert command.ship_to.city == "Seattle"
    assert command.ordered_at is not None
    assert [(x.product_id, x.quantity, x.unit_price) for x in command.lines] == [
        ("ITEM-1", Decimal(2), Decimal("19.99")),
        ("ITEM-2", Decimal(1), Decimal(5)),
    ]
    assert command.lines[0].discount == Decimal("3.00")  # 1.50 a unit in F&O, 2 units
    assert command.lines[0].charges == Decimal("0.25")
    assert command.lines[1].charges == Decimal(0)
    assert command.lines[0].external_line_id is not None


def test_an_fno_order_without_a_delivery_country_is_refused(env: Env) -> None:
    number = env.create(DeliveryAddressCountryRegionISOCode=None)
    env.post("usmf", number, "confirm")
    [header] = env.client.confirmed_orders()
    with pytest.raises(ValidationError, match="country"):
        place_order(header, env.client.order_lines("usmf", number))
