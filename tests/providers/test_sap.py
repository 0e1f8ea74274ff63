"""SAP client and gateway against the SAP simulator, over real HTTP on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from werkzeug.serving import make_server

from domain.orders.model import Address, OrderLine, SalesOrder
from domain.orders.states import OrderState
from providers.sap.client import SapClient, odata_string
from providers.sap.gateway import SALES_ORDER_ID, SEND_TO_INVOICE, SapGateway
from providers.sap.mapping import purchase_order_reference
from providers.sap.schemas import SalesOrderCreate, SalesOrderItemCreate
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from simulators.sap.app import DEFAULT_PASSWORD, DEFAULT_USERNAME, SapSimulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ORDER_ID = "6f1c2d3e-4b5a-5c6d-8e7f-0a1b2c3d4e5f"
ORG = {"SalesOrganization": "1010", "DistributionChannel": "10", "OrganizationDivision": "00"}


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve a WSGI app on an ephemeral loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def sap() -> Iterator[str]:
    with serving(SapSimulator()) as url:
        yield url


@pytest.fixture
def client(sap: str) -> Iterator[SapClient]:
    with SapClient(f"{sap}/sap/opu/odata/sap", DEFAULT_USERNAME, DEFAULT_PASSWORD) as sap_client:
        yield sap_client


def admin(base: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.post(f"{base}/_admin/{path}", json=body or {})


def calls(base: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{base}/_admin/calls").json()["calls"])


def order(order_id: str = ORDER_ID) -> SalesOrder:
    lines = [
        OrderLine(line_id="0001", line_number=1, product_id="TG11", quantity=Decimal("5.000")),
        OrderLine(line_id="0002", line_number=2, product_id="TG12", quantity=Decimal(2)),
        OrderLine(line_id="0003", line_number=3, product_id="TG13", quantity=Decimal(1),
                  state=OrderState.CANCELED),
    ]  # fmt: skip
    return SalesOrder(
        order_id=order_id, channel="fno", external_order_id="SO-1", customer_id="C-100",
        invoice_customer_id="10100001", currency="EUR", created_at=NOW, updated_at=NOW,
        requested_delivery_date=date(2026, 5, 10), lines=lines, ship_to=Address(name="Ada"),
    )  # fmt: skip


def test_send_to_invoice_deep_inserts_the_order_and_its_items(client: SapClient, sap: str) -> None:
    result = SapGateway(client).perform(SEND_TO_INVOICE, order(), "k1", ORG)

    created = client.find_sales_order(purchase_order_reference(ORDER_ID))
    assert created is not None
    assert result.external_ids == {SALES_ORDER_ID: created.sales_order}
    assert (created.sales_order_type, created.sales_organization) == ("OR", "1010")
    assert (created.sold_to_party, created.transaction_currency) == ("10100001", "EUR")
    assert created.purchase_order_by_customer == ORDER_ID.replace("-", "")
    items = [(i.sales_order_item, i.material, i.requested_quantity, i.requested_quantity_unit)
             for i in created.items.results]  # fmt: skip
    assert items == [("10", "TG11", "5", "EA"), ("20", "TG12", "2", "EA")]
    traffic = [(c["method"], c["status"]) for c in calls(sap)]
    assert traffic == [("GET", 200), ("GET", 200), ("POST", 201), ("GET", 200)]


def test_post_without_csrf_token_is_refused(sap: str) -> None:
    response = httpx.post(
        f"{sap}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder",
        json={"SalesOrderType": "OR"},
        auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD),
    )

    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"


def test_client_fetches_a_fresh_token_when_sap_refuses_the_old_one(
    client: SapClient, sap: str
) -> None:
    gateway = SapGateway(client)
    gateway.perform(SEND_TO_INVOICE, order(), "k1", ORG)
    admin(sap, "csrf/expire")

    second = gateway.perform(SEND_TO_INVOICE, order("ORD-2"), "k2", ORG)

    assert client.find_sales_order("ORD-2") is not None
    assert second.external_ids[SALES_ORDER_ID] != ""
    posts = [c for c in calls(sap) if c["method"] == "POST"]
    assert [c["status"] for c in posts] == [201, 403, 201]
    assert posts[1]["csrfToken"] == posts[0]["csrfToken"] != posts[2]["csrfToken"]


def test_retried_create_returns_the_same_sap_order(client: SapClient, sap: str) -> None:
    gateway = SapGateway(client)
    first = gateway.perform(SEND_TO_INVOICE, order(), "k1", ORG)
    retried = gateway.perform(SEND_TO_INVOICE, order(), "k2", ORG)

    assert first.external_ids == retried.external_ids
    assert [c["status"] for c in calls(sap) if c["method"] == "POST"] == [201]


def test_billing_document_is_discovered_after_sap_bills_the_order(
    client: SapClient, sap: str
) -> None:
    gateway = SapGateway(client)
    sales_order = gateway.perform(SEND_TO_INVOICE, order(), "k", ORG).external_ids[SALES_ORDER_ID]
    assert gateway.invoice_for(ORDER_ID) is None

    billed = admin(sap, f"sales-orders/{sales_order}/bill", {"netAmount": "120.00"})
    assert billed.status_code == 201

    invoice = gateway.invoice_for(ORDER_ID)
    assert invoice == billed.json()["d"]["BillingDocument"]
    [document] = client.billing_documents(sales_order)
    assert (document.billing_document, document.total_net_amount) == (invoice, "120.00")
    assert document.purchase_order_by_customer == purchase_order_reference(ORDER_ID)
    assert admin(sap, f"sales-orders/{sales_order}/bill").status_code == 409


def test_invoice_for_an_order_sap_never_received_is_none(client: SapClient) -> None:
    assert SapGateway(client).invoice_for("never-sent") is None


def test_missing_organization_parameters_fail_permanently_without_calling_sap(
    client: SapClient, sap: str
) -> None:
    partial = {"SalesOrganization": "1010", "DistributionChannel": "10"}
    with pytest.raises(PermanentProviderFailure, match="OrganizationDivision"):
        SapGateway(client).perform(SEND_TO_INVOICE, order(), "k", partial)
    with pytest.raises(PermanentProviderFailure, match="no action"):
        SapGateway(client).perform("Send to Fulfillment", order(), "k", ORG)
    assert calls(sap) == []


def test_sap_validation_errors_are_permanent(client: SapClient) -> None:
    body = SalesOrderCreate(
        sales_organization="1010", distribution_channel="10", organization_division="00",
        sold_to_party="", purchase_order_by_customer="PO-1",
        to_Item=[SalesOrderItemCreate(sales_order_item="10", material="TG11",
                                      requested_quantity="1")],
    )  # fmt: skip

    with pytest.raises(PermanentProviderFailure, match="SoldToParty") as failure:
        client.create_sales_order(body)
    assert failure.value.status == 400


def test_wrong_password_is_permanent(sap: str) -> None:
    root = f"{sap}/sap/opu/odata/sap"
    with (
        SapClient(root, DEFAULT_USERNAME, "wrong") as client,
        pytest.raises(PermanentProviderFailure) as failure,
    ):
        SapGateway(client).perform(SEND_TO_INVOICE, order(), "k", ORG)
    assert failure.value.status == 401


def test_throttling_and_outages_are_transient(client: SapClient, sap: str) -> None:
    admin(sap, "faults", {"status": 429, "count": 1, "retryAfter": 3})
    admin(sap, "faults", {"status": 503, "count": 1})
    gateway = SapGateway(client)

    with pytest.raises(TransientProviderFailure) as throttled:
        gateway.perform(SEND_TO_INVOICE, order(), "k", ORG)
    with pytest.raises(TransientProviderFailure) as unavailable:
        gateway.invoice_for(ORDER_ID)

    assert (throttled.value.status, throttled.value.retry_after) == (429, 3.0)
    assert (unavailable.value.status, unavailable.value.retry_after) == (503, None)
    assert SALES_ORDER_ID in gateway.perform(SEND_TO_INVOICE, order(), "k", ORG).external_ids


def test_customer_references_with_quotes_survive_the_filter(client: SapClient) -> None:
    assert odata_string("O'Brien") == "'O''Brien'"
    SapGateway(client).perform(SEND_TO_INVOICE, order("O'Brien-1"), "k", ORG)

    found = client.find_sales_order("O'Brien-1")
    assert found is not None
    assert found.purchase_order_by_customer == "O'Brien-1"
