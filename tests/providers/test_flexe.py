"""Flexe client and gateway against the Flexe simulator, over real HTTP on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from domain.orders.model import (
    Address,
    FulfillmentOrder,
    FulfillmentOrderLine,
    OrderLine,
    SalesOrder,
)
from providers.flexe.client import FlexeClient, retry_after_seconds
from providers.flexe.gateway import CANCEL_FULFILLMENT, SEND_TO_FULFILLMENT, FlexeGateway
from providers.flexe.webhooks import (
    SIGNATURE_HEADER,
    InvalidWebhook,
    is_authentic,
    parse_status_changed,
    signature,
)
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from simulators.flexe.app import DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET, FlexeSimulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


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


class Capture:
    """A webhook receiver that keeps every request's headers and raw body."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.received.append((dict(request.headers), request.get_data()))
        return Response(status=204)(environ, start_response)


@pytest.fixture
def capture() -> Iterator[tuple[Capture, str]]:
    receiver = Capture()
    with serving(receiver) as url:
        yield receiver, f"{url}/webhooks/flexe"


@pytest.fixture
def flexe(capture: tuple[Capture, str]) -> Iterator[str]:
    with serving(FlexeSimulator(webhook_url=capture[1])) as url:
        yield url


@pytest.fixture
def client(flexe: str) -> Iterator[FlexeClient]:
    with FlexeClient(flexe, DEFAULT_API_KEY, timeout=5) as flexe_client:
        yield flexe_client


def admin(base: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    response = httpx.post(f"{base}/_admin/{path}", json=body or {})
    response.raise_for_status()
    return response


def order(*, fulfillment: bool = True, product: str | None = "SKU-2") -> SalesOrder:
    lines = [
        OrderLine(line_id="0001", line_number=1, product_id="SKU-1", quantity=Decimal(2)),
        OrderLine(line_id="0002", line_number=2, product_id=product, quantity=Decimal(1)),
    ]
    fulfillment_orders = [
        FulfillmentOrder(
            fulfillment_order_id=f"ord-1-0{n}",
            source_id=f"WH-{n}",
            shipping_warehouse=f"WH-{n}",
            lines=[FulfillmentOrderLine(line_id=f"000{n}", quantity=Decimal(3 - n))],
        )
        for n in (1, 2)
    ]
    return SalesOrder(
        order_id="ord-1", channel="web", external_order_id="100", customer_id="C1",
        currency="USD", created_at=NOW, updated_at=NOW, lines=lines,
        fulfillment_orders=fulfillment_orders if fulfillment else [],
        ship_to=Address(name="Ada", line1="1 Main St", city="Seattle", state_or_province="WA",
                        postal_code="98101", country="us"),
    )  # fmt: skip


def test_send_creates_one_outbound_order_per_fulfillment_order(client: FlexeClient) -> None:
    result = FlexeGateway(client).perform(SEND_TO_FULFILLMENT, order(), "k1", {})

    assert set(result.external_ids) == {"ord-1-01", "ord-1-02"}
    first = client.outbound_order(result.external_ids["ord-1-01"])
    assert (first.status, first.warehouse_id, first.external_id) == ("received", "WH-1", "ord-1-01")
    assert [(line.line_id, line.sku, line.quantity) for line in first.lines] == [
        ("0001", "SKU-1", 2)
    ]


def test_order_without_fulfillment_orders_ships_as_one(client: FlexeClient) -> None:
    result = FlexeGateway(client).perform(SEND_TO_FULFILLMENT, order(fulfillment=False), "k", {})

    outbound = client.find_by_external_id("ord-1")
    assert outbound is not None
    assert result.external_ids == {"ord-1": outbound.id}
    assert [line.line_id for line in outbound.lines] == ["0001", "0002"]


def test_repeat_with_same_key_creates_one_order(client: FlexeClient, flexe: str) -> None:
    gateway = FlexeGateway(client)
    first = gateway.perform(SEND_TO_FULFILLMENT, order(), "k1", {})
    again = gateway.perform(SEND_TO_FULFILLMENT, order(), "k1", {})
    other_key = gateway.perform(SEND_TO_FULFILLMENT, order(), "k2", {})

    assert first.external_ids == again.external_ids == other_key.external_ids
    calls = httpx.get(f"{flexe}/_admin/calls").json()["calls"]
    creates = [call for call in calls if call["method"] == "POST"]
    assert [call["status"] for call in creates] == [201, 201, 200, 200, 200, 200]
    assert creates[0]["idempotencyKey"] == "k1/ord-1-01"


def test_status_moves_emit_signed_webhooks(
    client: FlexeClient, flexe: str, capture: tuple[Capture, str]
) -> None:
    flexe_id = (
        FlexeGateway(client).perform(SEND_TO_FULFILLMENT, order(), "k", {}).external_ids["ord-1-01"]
    )
    for command in ("accept", "pick", "pack"):
        admin(flexe, f"outbound-orders/{flexe_id}/{command}")
    admin(flexe, f"outbound-orders/{flexe_id}/ship", {"carrier": "FedEx", "trackingNumber": "T1"})

    events = [
        parse_status_changed(DEFAULT_WEBHOOK_SECRET, body, headers.get(SIGNATURE_HEADER))
        for headers, body in capture[0].received
    ]
    assert [event.status for event in events] == ["accepted", "picked", "packed", "shipped"]
    assert {event.external_id for event in events} == {"ord-1-01"}
    assert len({event.event_id for event in events}) == 4
    shipped = events[-1].shipments[0]
    assert (shipped.carrier, shipped.tracking_number) == ("FedEx", "T1")
    assert [(s.line_id, s.quantity) for s in client.shipments(flexe_id)[0].lines] == [("0001", 2)]
    assert client.outbound_order(flexe_id).status == "shipped"


def test_rejection_carries_the_reason(
    client: FlexeClient, flexe: str, capture: tuple[Capture, str]
) -> None:
    flexe_id = (
        FlexeGateway(client).perform(SEND_TO_FULFILLMENT, order(), "k", {}).external_ids["ord-1-02"]
    )
    admin(flexe, f"outbound-orders/{flexe_id}/reject", {"reason": "unknown sku"})

    headers, body = capture[0].received[-1]
    event = parse_status_changed(DEFAULT_WEBHOOK_SECRET, body, headers.get(SIGNATURE_HEADER))
    assert (event.status, event.reason) == ("rejected", "unknown sku")


def test_bad_signatures_are_rejected() -> None:
    body = b'{"eventId":"e1","type":"outbound_order.status_changed","orderId":"o","externalId":"x","status":"accepted","occurredAt":"t"}'  # noqa: E501
    good = signature("secret", body)

    assert parse_status_changed("secret", body, good).status == "accepted"
    assert not is_authentic("other-secret", body, good)
    assert not is_authentic("secret", body + b" ", good)
    assert not is_authentic("secret", body, None)
    assert not is_authentic("secret", body, good.removeprefix("sha256="))
    with pytest.raises(InvalidWebhook):
        parse_status_changed("secret", body.replace(b"accepted", b"shipped"), good)


def test_throttling_is_transient_with_the_providers_delay(client: FlexeClient, flexe: str) -> None:
    admin(flexe, "faults", {"status": 429, "count": 1, "retryAfter": 7})
    gateway = FlexeGateway(client)

    with pytest.raises(TransientProviderFailure) as failure:
        gateway.perform(SEND_TO_FULFILLMENT, order(), "k", {})
    assert (failure.value.status, failure.value.retry_after) == (429, 7.0)
    assert set(gateway.perform(SEND_TO_FULFILLMENT, order(), "k", {}).external_ids) == {
        "ord-1-01",
        "ord-1-02",
    }


def test_unavailable_and_unreachable_are_transient(client: FlexeClient, flexe: str) -> None:
    admin(flexe, "faults", {"status": 503, "count": 1})
    with pytest.raises(TransientProviderFailure) as failure:
        client.find_by_external_id("x")
    assert (failure.value.status, failure.value.retry_after) == (503, None)

    with serving(Capture()) as gone:
        pass
    with (
        FlexeClient(gone, DEFAULT_API_KEY, timeout=2) as dead,
        pytest.raises(TransientProviderFailure),
    ):
        dead.find_by_external_id("x")


def test_wrong_api_key_is_permanent(flexe: str) -> None:
    with FlexeClient(flexe, "wrong-key") as client, pytest.raises(PermanentProviderFailure) as err:
        FlexeGateway(client).perform(SEND_TO_FULFILLMENT, order(), "k", {})
    assert err.value.status == 401
    assert not err.value.transient


def test_cancel_before_shipping_cancels_and_notifies(
    client: FlexeClient, flexe: str, capture: tuple[Capture, str]
) -> None:
    gateway = FlexeGateway(client)
    sent = gateway.perform(SEND_TO_FULFILLMENT, order(), "k", {})
    admin(flexe, f"outbound-orders/{sent.external_ids['ord-1-01']}/accept")

    cancelled = gateway.perform(CANCEL_FULFILLMENT, order(), "c", {"reason": "customer"})
    again = gateway.perform(CANCEL_FULFILLMENT, order(), "c", {})

    assert cancelled.external_ids == sent.external_ids
    assert again.details == "nothing to cancel at Flexe"
    statuses = [parse_status_changed(DEFAULT_WEBHOOK_SECRET, b, h[SIGNATURE_HEADER]).status
                for h, b in capture[0].received]  # fmt: skip
    assert statuses == ["accepted", "cancelled", "cancelled"]


def test_cancel_after_shipping_is_a_permanent_failure(client: FlexeClient, flexe: str) -> None:
    gateway = FlexeGateway(client)
    flexe_id = gateway.perform(SEND_TO_FULFILLMENT, order(), "k", {}).external_ids["ord-1-01"]
    for command in ("accept", "pick", "pack", "ship"):
        admin(flexe, f"outbound-orders/{flexe_id}/{command}")

    with pytest.raises(PermanentProviderFailure) as failure:
        gateway.perform(CANCEL_FULFILLMENT, order(), "c", {})
    assert failure.value.status == 409
    assert "invalid_state" in str(failure.value)


def test_unshippable_orders_fail_permanently_without_calling_flexe(
    client: FlexeClient, flexe: str
) -> None:
    gateway = FlexeGateway(client)
    with pytest.raises(PermanentProviderFailure, match="write-in"):
        gateway.perform(SEND_TO_FULFILLMENT, order(fulfillment=False, product=None), "k", {})
    with pytest.raises(PermanentProviderFailure, match="no action"):
        gateway.perform("Send to Invoice", order(), "k", {})
    assert httpx.get(f"{flexe}/_admin/calls").json()["calls"] == []


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Fri, 01 May 2026 12:00:30 GMT", now=NOW) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
