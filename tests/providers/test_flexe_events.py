"""Flexe webhooks become provider events: signed by the simulator over loopback, then applied."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from providers.flexe.client import FlexeClient
from providers.flexe.events import order_id_of, to_provider_event
from providers.flexe.gateway import SEND_TO_FULFILLMENT, FlexeGateway
from providers.flexe.schemas import StatusChanged
from providers.flexe.webhooks import SIGNATURE_HEADER, parse_status_changed
from services.orders import operations
from services.orders.commands import PlaceOrder
from services.orders.intake import place_order
from services.provider_events import ProviderEvent, apply_provider_event
from simulators.flexe.app import DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET, FlexeSimulator
from tests.providers.test_flexe import Capture, serving
from tests.support.hub import make_hub

ORDER_ID = "6f1c2d3e-4b5a-5c6d-8e7f-0a1b2c3d4e5f"


def status_changed(status: str, external_id: str = f"{ORDER_ID}-02", **extra: Any) -> StatusChanged:
    return StatusChanged.model_validate({
        "eventId": "evt-7", "type": "outbound_order.status_changed", "orderId": "ob-3",
        "externalId": external_id, "status": status, "occurredAt": "2026-05-01T12:00:00Z",
        **extra,
    })  # fmt: skip


@pytest.mark.parametrize(
    ("external_id", "order_id"),
    [
        (f"{ORDER_ID}-01", ORDER_ID),
        (f"{ORDER_ID}-123", ORDER_ID),
        (ORDER_ID, ORDER_ID),
        ("BC-100-01", "BC-100-01"),
        (f"{ORDER_ID}-1", f"{ORDER_ID}-1"),
        (f"{ORDER_ID}-ab", f"{ORDER_ID}-ab"),
    ],
)
def test_the_order_id_is_the_external_id_without_a_fulfillment_suffix(external_id, order_id):
    assert order_id_of(external_id) == order_id


@pytest.mark.parametrize(
    ("flexe", "hub"),
    [("received", "confirmed"), ("accepted", "confirmed"), ("rejected", "confirmed"),
     ("picked", "picked"), ("packed", "packed"), ("shipped", "shipped"),
     ("cancelled", "cancelled")],
)  # fmt: skip
def test_every_flexe_status_maps_to_a_hub_status(flexe, hub):
    event = ProviderEvent.model_validate(to_provider_event(status_changed(flexe)))
    assert (event.status.value, event.order_id, event.event_id) == (hub, ORDER_ID, "evt-7")
    assert event.line_ids is None
    assert event.occurred_at is not None


def test_a_rejection_keeps_flexes_reason_in_the_details():
    fields = to_provider_event(status_changed("rejected", reason="no stock at WH-1"))
    assert fields["status"] == "confirmed"
    assert fields["details"] == (
        f"Flexe outbound order ob-3 ({ORDER_ID}-02): rejected; reason: no stock at WH-1"
    )


def test_a_shipment_names_the_lines_it_carried_and_its_tracking():
    shipments = [
        {"shipmentId": "sh-1", "carrier": "UPS", "trackingNumber": "1Z1",
         "lines": [{"lineId": "0002", "quantity": 1}, {"lineId": "0001", "quantity": 1}]},
        {"shipmentId": "sh-2", "lines": [{"lineId": "0001", "quantity": 1}]},
    ]  # fmt: skip
    fields = to_provider_event(status_changed("shipped", shipments=shipments))
    assert fields["lineIds"] == ["0002", "0001"]
    assert fields["details"].endswith("; tracking: UPS 1Z1")


def test_lines_given_by_the_caller_narrow_other_statuses():
    fields = to_provider_event(status_changed("picked"), ["0003", "0003", "0004"])
    assert fields["lineIds"] == ["0003", "0004"]


@pytest.fixture
def webhooks() -> Iterator[tuple[Capture, str]]:
    receiver = Capture()
    with serving(receiver) as url, serving(FlexeSimulator(webhook_url=f"{url}/hook")) as flexe:
        yield receiver, flexe


def test_signed_webhooks_from_the_simulator_are_applied_to_the_hub_order(webhooks):
    receiver, flexe = webhooks
    hub = make_hub()
    body: dict[str, Any] = {
        "channel": "bigcommerce", "externalOrderId": "247", "customerId": "C", "currency": "USD",
        "shipTo": {"name": "Ada", "line1": "1 Main St", "city": "Seattle", "postalCode": "98101",
                   "country": "US"},
        "lines": [{"productId": "A", "quantity": 2}, {"productId": "B", "quantity": 1}],
    }  # fmt: skip
    order_id = place_order(PlaceOrder.model_validate(body), hub.engine).order_id
    operations.raise_event(
        hub.engine, order_id, "Send Order to Fulfillment Provider has Succeeded", None, "test"
    )
    with FlexeClient(flexe, DEFAULT_API_KEY, timeout=5) as client:
        sent = FlexeGateway(client).perform(
            SEND_TO_FULFILLMENT, operations.get_order(hub.engine, order_id), "k", {}
        )
    outbound = sent.external_ids[order_id]
    for command in ("accept", "pick", "pack", "ship"):
        httpx.post(
            f"{flexe}/_admin/outbound-orders/{outbound}/{command}", json={}
        ).raise_for_status()

    statuses = []
    for headers, raw in receiver.received:
        change = parse_status_changed(DEFAULT_WEBHOOK_SECRET, raw, headers.get(SIGNATURE_HEADER))
        event = ProviderEvent.model_validate(to_provider_event(change))
        assert apply_provider_event(hub.engine, "flexe", event)
        statuses.append(json.loads(raw)["status"])

    assert statuses == ["accepted", "picked", "packed", "shipped"]
    order = operations.get_order(hub.engine, order_id)
    assert [order.reason, *(line.reason for line in order.lines)] == ["Packed"] * 3
    titles = [e.event for e in hub.engine.orders.timeline(order_id) if e.source == "provider flexe"]
    assert titles[:3] == ["Provider status: confirmed", "Order Picked", "Order Packed"]
    assert "shipped" in titles[3].lower()  # the hub's Shipped event keeps the reason Packed
