"""F&O gateway actions against the F&O simulator over loopback: fulfillment, billing, retries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from domain.orders.model import Address, OrderLine, SalesOrder
from domain.orders.states import OrderState
from providers.fno.auth import ClientCredentialsTokens
from providers.fno.client import FnoClient
from providers.fno.gateway import SEND_LINES_TO_BILLING, SEND_TO_FULFILLMENT, FnoGateway
from providers.fno.mapping import header_body
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from simulators.fno import FnoSimulator
from simulators.server import serve

TENANT, CLIENT_ID, SECRET = "contoso", "hub-app", "s3cret"
ENVIRONMENT = "https://contoso.sandbox.operations.dynamics.com"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@dataclass
class Env:
    sim: FnoSimulator
    url: str
    http: httpx.Client
    client: FnoClient
    gateway: FnoGateway

    def posts(self, entity: str) -> list[str | None]:
        """Idempotency keys of the creates F&O received for an entity set."""
        return [
            call.idempotency_key
            for call in self.sim.calls
            if call.method == "POST" and call.path == f"/data/{entity}"
        ]


@pytest.fixture
def env() -> Iterator[Env]:
    sim = FnoSimulator(TENANT, CLIENT_ID, SECRET, environment_url=ENVIRONMENT)
    server, thread = serve(sim, 0)
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(timeout=5) as http:
        tokens = ClientCredentialsTokens(
            http, authority=url, tenant=TENANT, client_id=CLIENT_ID, client_secret=SECRET,
            scope=f"{ENVIRONMENT}/.default",
        )  # fmt: skip
        client = FnoClient(http, url, tokens)
        yield Env(sim, url, http, client, FnoGateway(client))
    server.shutdown()
    thread.join(timeout=5)


def line(number: int, warehouse: str | None = "WH-11", site: str | None = "SITE-1") -> OrderLine:
    return OrderLine(
        line_id=f"{number:04d}", line_number=number, product_id=f"ITEM-{number}",
        quantity=Decimal(2), unit="ea", unit_price=Decimal("19.99"), discount=Decimal("1.5"),
        company="usmf", shipping_site=site, shipping_warehouse=warehouse,
    )  # fmt: skip


def order(
    *lines: OrderLine, company: str | None = "usmf", channel: str = "bigcommerce"
) -> SalesOrder:
    return SalesOrder(
        order_id="3f1c2d9e-0000-4000-8000-000000000001", channel=channel,
        external_order_id="usmf/SO-000001" if channel == "fno" else "BC-100",
        order_number="BC-100", customer_id="US-001", invoice_customer_id="US-INV-9",
        company=company, currency="USD",
        ship_to=Address(name="Ada", line1="1 Main St", city="Seattle", state_or_province="WA",
                        postal_code="98101", country="US", email="ada@example.com"),
        created_at=NOW, updated_at=NOW, lines=list(lines),
    )  # fmt: skip


def test_send_to_fulfillment_creates_the_header_and_every_line(env: Env) -> None:
    result = env.gateway.perform(SEND_TO_FULFILLMENT, order(line(1), line(2)), "k1", {})
    assert result.external_ids["dataAreaId"] == "usmf"
    assert result.external_ids["salesOrderNumber"] == "SO-000001"
    [header] = env.sim.store.headers.values()
    assert header["OrderingCustomerAccountNumber"] == "US-001"
    assert header["InvoiceCustomerAccountNumber"] == "US-INV-9"
    assert header["CustomersOrderReference"] == "3f1c2d9e-0000-4000-8000-000000000001"
    assert header["DefaultShippingSiteId"] == "SITE-1"
    assert header["DefaultShippingWarehouseId"] == "WH-11"
    assert header["DeliveryAddressCountryRegionISOCode"] == "US"
    lines = env.client.order_lines("usmf", "SO-000001")
    assert [(x.customers_line_number, x.item_number) for x in lines] == [
        (1, "ITEM-1"),
        (2, "ITEM-2"),
    ]
    assert lines[0].shipping_warehouse_id == "WH-11"
    assert lines[0].shipping_site_id == "SITE-1"
    assert lines[0].sales_price == Decimal("19.99")
    assert lines[0].line_discount_amount == Decimal("0.75")  # per unit: 1.50 over 2 units
    assert lines[0].fixed_price_charges is None  # it divides evenly: no remainder to charge
    assert result.external_ids["line/0002"] == lines[1].inventory_lot_id
    assert env.posts("SalesOrderHeadersV2") == ["k1/header"]
    assert env.posts("SalesOrderLines") == ["k1/line/0001", "k1/line/0002"]


def test_a_retried_send_creates_no_second_order(env: Env) -> None:
    sent = order(line(1), line(2))
    first = env.gateway.perform(SEND_TO_FULFILLMENT, sent, "k1", {})
    again = env.gateway.perform(SEND_TO_FULFILLMENT, sent, "k2", {})
    assert again.external_ids == first.external_ids
    assert len(env.sim.store.headers) == 1
    assert len(env.sim.store.lines) == 2
    assert "0 of 2 line(s) created" in again.details


def test_a_send_that_died_after_the_header_is_completed_by_the_retry(env: Env) -> None:
    sent = order(line(1), line(2))
    env.client.create_header(header_body(sent, "usmf", sent.order_id), "k1/header")
    result = env.gateway.perform(SEND_TO_FULFILLMENT, sent, "k2", {})
    assert len(env.sim.store.headers) == 1
    assert "2 of 2 line(s) created" in result.details


def test_billing_holds_back_lines_without_a_shipping_warehouse(env: Env) -> None:
    sent = order(line(1), line(2, warehouse=None, site=None), line(3))
    result = env.gateway.perform(SEND_LINES_TO_BILLING, sent, "b1", {})
    numbers = [x.customers_line_number for x in env.client.order_lines("usmf", "SO-000001")]
    assert numbers == [1, 3]
    assert "held back (no shipping warehouse): 0002" in result.details
    assert "line/0002" not in result.external_ids
    sent.lines[1].shipping_warehouse = "WH-12"
    env.gateway.perform(SEND_LINES_TO_BILLING, sent, "b2", {})
    numbers = [x.customers_line_number for x in env.client.order_lines("usmf", "SO-000001")]
    assert numbers == [1, 3, 2]
    assert env.posts("SalesOrderLines") == ["b1/line/0001", "b1/line/0003", "b2/line/0002"]


def test_billing_with_no_warehoused_line_sends_nothing(env: Env) -> None:
    result = env.gateway.perform(SEND_LINES_TO_BILLING, order(line(1, warehouse=None)), "b1", {})
    assert "held back: 0001" in result.details
    assert env.sim.store.headers == {}


def test_canceled_lines_are_not_sent(env: Env) -> None:
    sent = order(line(1), line(2))
    sent.lines[1].state = OrderState.CANCELED
    env.gateway.perform(SEND_TO_FULFILLMENT, sent, "k1", {})
    assert len(env.sim.store.lines) == 1


def test_an_order_without_a_company_fails_permanently(env: Env) -> None:
    with pytest.raises(PermanentProviderFailure, match="company"):
        env.gateway.perform(SEND_TO_FULFILLMENT, order(line(1), company=None), "k1", {})
    assert env.sim.store.headers == {}


def test_the_company_may_come_from_the_action_parameters(env: Env) -> None:
    sent = order(line(1), company=None)
    result = env.gateway.perform(SEND_TO_FULFILLMENT, sent, "k1", {"company": "demf"})
    assert result.external_ids["dataAreaId"] == "demf"


def test_write_in_products_cannot_go_to_fno(env: Env) -> None:
    write_in = line(1).model_copy(update={"product_id": None, "write_in_product": "Gift wrap"})
    with pytest.raises(PermanentProviderFailure, match="0001"):
        env.gateway.perform(SEND_TO_FULFILLMENT, order(write_in), "k1", {})


def test_unknown_actions_fail_permanently(env: Env) -> None:
    assert env.gateway.actions() == {SEND_TO_FULFILLMENT, SEND_LINES_TO_BILLING}
    with pytest.raises(PermanentProviderFailure):
        env.gateway.perform("Cancel Order", order(line(1)), "k1", {})


def test_an_order_from_fno_is_found_not_created_again(env: Env) -> None:
    env.sim.store.create_header({"dataAreaId": "usmf", "OrderingCustomerAccountNumber": "US-001"})
    result = env.gateway.perform(SEND_TO_FULFILLMENT, order(line(1), channel="fno"), "k1", {})
    assert result.external_ids == {"dataAreaId": "usmf", "salesOrderNumber": "SO-000001"}
    assert env.posts("SalesOrderHeadersV2") == []
    with pytest.raises(PermanentProviderFailure, match="no sales order"):
        env.gateway.perform(
            SEND_TO_FULFILLMENT,
            order(line(1), channel="fno").model_copy(update={"external_order_id": "usmf/SO-9"}),
            "k2",
            {},
        )


def test_throttling_during_a_send_is_transient_and_the_retry_succeeds(env: Env) -> None:
    env.http.post(f"{env.url}/_admin/faults", json={"status": 429, "count": 1, "retryAfter": 3})
    with pytest.raises(TransientProviderFailure) as caught:
        env.gateway.perform(SEND_TO_FULFILLMENT, order(line(1)), "k1", {})
    assert caught.value.retry_after == 3.0
    env.gateway.perform(SEND_TO_FULFILLMENT, order(line(1)), "k2", {})
    assert len(env.sim.store.headers) == 1
