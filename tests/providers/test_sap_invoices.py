"""SapInvoices against the SAP simulator over loopback: a billed order is raised invoiced once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from providers.sap.client import SapClient
from providers.sap.gateway import SALES_ORDER_ID, SEND_TO_INVOICE, SapGateway
from providers.sap.invoices import SapInvoices
from services.inbound_orders import sweep_invoice_watchlist, watch_for_invoice
from services.orders import operations
from services.orders.commands import PlaceOrder
from services.orders.intake import place_order
from simulators.sap.app import DEFAULT_PASSWORD, DEFAULT_USERNAME, SapSimulator
from tests.providers.test_sap import ORG, serving
from tests.support.hub import make_hub
from tests.unit.services.test_inbound_orders import MemoryWatchlist

ORDER_ID = "6f1c2d3e-4b5a-5c6d-8e7f-0a1b2c3d4e5f"


@pytest.fixture
def sap() -> Iterator[str]:
    with serving(SapSimulator()) as url:
        yield url


@pytest.fixture
def gateway(sap: str) -> Iterator[SapGateway]:
    with SapClient(f"{sap}/sap/opu/odata/sap", DEFAULT_USERNAME, DEFAULT_PASSWORD) as client:
        yield SapGateway(client)


def bill(sap: str, sales_order: str) -> str:
    response = httpx.post(f"{sap}/_admin/sales-orders/{sales_order}/bill", json={})
    assert response.status_code == 201
    return str(response.json()["d"]["BillingDocument"])


def test_no_invoice_until_sap_bills_the_order(gateway: SapGateway, sap: str) -> None:
    invoices = SapInvoices(gateway)
    assert invoices.invoice_for("never-sent") is None

    hub = make_hub()
    body: dict[str, Any] = {
        "channel": "fno", "externalOrderId": "usmf/SO-1", "customerId": "10100001",
        "currency": "EUR", "shipTo": {"country": "DE"},
        "lines": [{"productId": "TG11", "quantity": 5}],
    }  # fmt: skip
    order_id = place_order(PlaceOrder.model_validate(body), hub.engine).order_id
    operations.raise_event(
        hub.engine, order_id, "Send Order to Fulfillment Provider has Succeeded", None, "test"
    )
    order = operations.get_order(hub.engine, order_id)
    sales_order = gateway.perform(SEND_TO_INVOICE, order, "k", ORG).external_ids[SALES_ORDER_ID]
    watchlist = MemoryWatchlist()
    watch_for_invoice(watchlist, hub.clock, order_id)
    hub.clock.advance(1)

    waiting = sweep_invoice_watchlist(hub.engine, invoices, watchlist)
    assert (waiting.examined, waiting.invoiced) == (1, ())
    assert invoices.invoice_for(order_id) is None

    document = bill(sap, sales_order)
    hub.clock.advance(3600)
    done = sweep_invoice_watchlist(hub.engine, invoices, watchlist)

    assert invoices.invoice_for(order_id) == document
    assert done.invoiced == (order_id,)
    assert watchlist.entries == {}
    billed = operations.get_order(hub.engine, order_id)
    assert (billed.state.value, billed.reason) == ("Completed", "Fulfilled")
    assert billed.provider_events == [f"sap:sap-invoice-{document}"]
