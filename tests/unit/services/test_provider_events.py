"""Provider status events: once each, rolled up from lines, and never backwards."""

from __future__ import annotations

from typing import Any

from services.orders import operations
from services.orders.commands import PlaceOrder
from services.orders.intake import place_order
from services.provider_events import ProviderEvent, apply_provider_event
from tests.support.hub import Hub, make_hub


def placed(hub: Hub) -> str:
    body: dict[str, Any] = {
        "channel": "bigcommerce", "externalOrderId": "247", "customerId": "C",
        "currency": "USD", "shipTo": {"country": "US"},
        "lines": [{"productId": "A", "quantity": 2}, {"productId": "B", "quantity": 1}],
    }  # fmt: skip
    order_id = place_order(PlaceOrder.model_validate(body), hub.engine).order_id
    operations.raise_event(
        hub.engine, order_id, "Send Order to Fulfillment Provider has Succeeded", None, "test"
    )
    return order_id


def event(event_id: str, status: str, **extra: Any) -> ProviderEvent:
    return ProviderEvent.model_validate({"eventId": event_id, "status": status, **extra})


def states(hub: Hub, order_id: str) -> list[str]:
    order = operations.get_order(hub.engine, order_id)
    return [order.reason, *(line.reason for line in order.lines)]


def test_an_event_applies_once_however_often_it_arrives():
    hub = make_hub()
    order_id = placed(hub)
    picked = event("e1", "picked", orderId=order_id)

    assert apply_provider_event(hub.engine, "fno", picked)
    assert not apply_provider_event(hub.engine, "fno", picked)

    assert states(hub, order_id) == ["Picked", "Picked", "Picked"]
    events = [e.event for e in hub.engine.orders.timeline(order_id)]
    assert events.count("Order Picked") == 1


def test_line_events_roll_up_to_the_order_when_every_line_agrees():
    hub = make_hub()
    order_id = placed(hub)
    key = {"channel": "bigcommerce", "externalOrderId": "247"}

    apply_provider_event(hub.engine, "flexe", event("p1", "packed", lineIds=["0001"], **key))
    assert states(hub, order_id) == ["Sent To Fulfillment", "Packed", "Sent To Fulfillment"]
    apply_provider_event(hub.engine, "flexe", event("p2", "packed", lineIds=["0002"], **key))

    assert states(hub, order_id) == ["Packed", "Packed", "Packed"]


def test_invoiced_before_shipped_completes_and_the_late_shipment_changes_nothing():
    hub = make_hub()
    order_id = placed(hub)

    apply_provider_event(hub.engine, "fno", event("i1", "invoiced", orderId=order_id))
    apply_provider_event(hub.engine, "fno", event("s1", "shipped", orderId=order_id))

    order = operations.get_order(hub.engine, order_id)
    assert (order.state, order.reason) == ("Completed", "Fulfilled")
    assert [line.quantity_invoiced for line in order.lines] == [2, 1]
    timeline = hub.engine.orders.timeline(order_id)
    assert timeline[-1].event == "Provider status: shipped"
    assert "ignored" in (timeline[-1].details or "")
    assert all(not e.errors for e in timeline)


def test_an_event_for_an_unknown_order_is_dropped():
    hub = make_hub()
    assert not apply_provider_event(hub.engine, "fno", event("x", "picked", orderId="nope"))


def test_a_shipment_after_packing_is_applied_once():
    hub = make_hub()
    order_id = placed(hub)

    for number, status in enumerate(("picked", "packed", "shipped", "shipped")):
        apply_provider_event(hub.engine, "flexe", event(f"f{number}", status, orderId=order_id))

    order = operations.get_order(hub.engine, order_id)
    assert [line.quantity_shipped for line in order.lines] == [2, 1]
    events = [e.event for e in hub.engine.orders.timeline(order_id)]
    assert events.count("Order Shipped") == 1
    assert events[-1] == "Provider status: shipped"  # the repeat with a new id is stale
