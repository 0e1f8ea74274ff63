"""FnoOrders against the F&O simulator over loopback: confirmed orders reach the hub, once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from providers.fno.auth import ClientCredentialsTokens
from providers.fno.client import FnoClient
from providers.fno.inbound import FnoOrders
from services.inbound_orders import pull_erp_orders
from services.orders import operations
from services.orders.intake import order_id_for
from simulators.fno import FnoSimulator
from simulators.server import serve
from tests.support.hub import make_hub
from tests.unit.services.test_inbound_orders import MemoryCheckpoints

TENANT, CLIENT_ID, SECRET = "contoso", "hub-app", "s3cret"
ENVIRONMENT = "https://contoso.sandbox.operations.dynamics.com"


@dataclass
class Env:
    url: str
    http: httpx.Client
    orders: FnoOrders

    def create(self, area: str = "usmf", **header: Any) -> str:
        body = {
            "dataAreaId": area, "OrderingCustomerAccountNumber": "US-001",
            "CurrencyCode": "USD", "DeliveryAddressName": "Ada",
            "DeliveryAddressStreet": "1 Main St", "DeliveryAddressCity": "Seattle",
            "DeliveryAddressZipCode": "98101", "DeliveryAddressCountryRegionISOCode": "US",
            **header,
            "lines": [{"ItemNumber": "ITEM-1", "OrderedSalesQuantity": 2, "SalesPrice": 19.99}],
        }  # fmt: skip
        response = self.http.post(f"{self.url}/_admin/orders", json=body)
        assert response.status_code == 201
        return str(response.json()["SalesOrderNumber"])

    def confirm(self, area: str, number: str) -> None:
        self.http.post(f"{self.url}/_admin/orders/{area}/{number}/confirm").raise_for_status()


@pytest.fixture
def env() -> Iterator[Env]:
    sim = FnoSimulator(TENANT, CLIENT_ID, SECRET, environment_url=ENVIRONMENT, page_size=2)
    server, thread = serve(sim, 0)
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(timeout=5) as http:
        tokens = ClientCredentialsTokens(
            http, authority=url, tenant=TENANT, client_id=CLIENT_ID, client_secret=SECRET,
            scope=f"{ENVIRONMENT}/.default",
        )  # fmt: skip
        yield Env(url, http, FnoOrders(FnoClient(http, url, tokens)))
    server.shutdown()
    thread.join(timeout=5)


def an_hour_ago() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


def test_only_confirmed_orders_are_listed_across_companies(env: Env) -> None:
    first, _, third = env.create(), env.create(), env.create("demf")
    env.confirm("usmf", first)
    env.confirm("demf", third)

    commands = env.orders.confirmed_since(an_hour_ago())

    assert [c.external_order_id for c in commands] == [f"usmf/{first}", f"demf/{third}"]
    assert {c.channel for c in commands} == {"fno"}
    assert env.orders.confirmed_since(datetime.now(UTC) + timedelta(hours=1)) == []


def test_an_order_the_hub_cannot_take_is_left_out_and_the_rest_still_arrive(env: Env) -> None:
    unfit = env.create(DeliveryAddressCountryRegionISOCode=None)
    fit = env.create()
    env.confirm("usmf", unfit)
    env.confirm("usmf", fit)

    commands = env.orders.confirmed_since(an_hour_ago())

    assert [c.external_order_id for c in commands] == [f"usmf/{fit}"]


def test_a_pull_places_confirmed_orders_once_and_keeps_a_checkpoint(env: Env) -> None:
    hub = make_hub()
    hub.clock.current = datetime.now(UTC)
    marks = MemoryCheckpoints()
    number = env.create()
    env.confirm("usmf", number)

    first = pull_erp_orders(hub.engine, env.orders, marks, hub.clock)
    later = env.create()
    env.confirm("usmf", later)
    hub.clock.advance(120)
    second = pull_erp_orders(hub.engine, env.orders, marks, hub.clock)

    assert (first.examined, first.taken) == (1, 1)
    assert (second.examined, second.taken) == (2, 1)
    assert "fno-orders" in marks.marks
    order = operations.get_order(hub.engine, order_id_for("fno", f"usmf/{later}"))
    assert (order.channel, order.external_order_id) == ("fno", f"usmf/{later}")
