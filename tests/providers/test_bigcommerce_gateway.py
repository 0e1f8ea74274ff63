"""The BigCommerce gateway and webhook callbacks against the simulator over loopback HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from domain.orders.model import SalesOrder
from domain.orders.states import OrderState, Reason
from providers.bigcommerce.gateway import CREATE_SHIPMENT, UPDATE_STATUS, BigCommerceGateway
from providers.bigcommerce.mapping import to_place_order
from providers.bigcommerce.webhooks import WebhookRejected, verify_delivery
from services.orders.intake import new_order
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from simulators.bigcommerce.callbacks import WebhookConfig
from tests.providers.bigcommerce_support import Store, order_spec, running_inbox, running_store

HEADER = "X-Hub-Secret"
SECRET = "custom-secret"
SIGNING = "client-secret-of-the-app"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def store() -> Iterator[Store]:
    with running_store() as running:
        yield running


def _our_order(store: Store, lines: int = 2) -> SalesOrder:
    """A BigCommerce order taken in through the mapping, as the hub would hold it."""
    order_id = store.sim.create_order(order_spec(lines=lines))["id"]
    client = store.client
    command = to_place_order(
        client.get_order(order_id),
        client.order_products(order_id),
        client.shipping_addresses(order_id)[0],
    )
    return new_order(command, f"SO-{order_id}", datetime.now(UTC))


def test_the_gateway_offers_status_write_back_and_shipments(store: Store) -> None:
    assert BigCommerceGateway(store.client).actions() == {UPDATE_STATUS, CREATE_SHIPMENT}


@pytest.mark.parametrize(
    ("state", "reason", "status_id"),
    [
        (OrderState.FULFILLMENT_IN_PROCESS, Reason.PACKED, 2),
        (OrderState.COMPLETED, Reason.FULFILLED, 10),
        (OrderState.CANCELED, Reason.CANCELED, 5),
    ],
)
def test_status_write_back(store: Store, state: OrderState, reason: Reason, status_id: int) -> None:
    order = _our_order(store)
    order.state, order.reason = state, reason

    result = BigCommerceGateway(store.client).perform(UPDATE_STATUS, order, "k-1", {})

    stored = store.client.get_order(int(order.external_order_id))
    assert stored.status_id == status_id
    assert stored.custom_status == stored.status
    assert result.external_ids == {"statusId": str(status_id)}


def test_a_state_without_a_storefront_status_sends_nothing(store: Store) -> None:
    order = _our_order(store)
    store.sim.calls.clear()

    result = BigCommerceGateway(store.client).perform(UPDATE_STATUS, order, "k-1", {})

    assert "nothing sent" in result.details
    assert store.sim.calls == []


def test_a_repeated_shipment_with_the_same_key_creates_one_shipment(store: Store) -> None:
    order = _our_order(store, lines=3)
    gateway = BigCommerceGateway(store.client)
    parameters = {"trackingNumber": "EJ958083578US", "shippingProvider": "usps"}

    first = gateway.perform(CREATE_SHIPMENT, order, "SO-1/ship/1", parameters)
    second = gateway.perform(CREATE_SHIPMENT, order, "SO-1/ship/1", parameters)

    shipments = store.client.shipments(int(order.external_order_id))
    assert len(shipments) == 1
    assert first.external_ids == second.external_ids == {"shipmentId": str(shipments[0].id)}
    assert "already exists" in second.details
    shipped = {item.order_product_id: item.quantity for item in shipments[0].items}
    assert shipped == {int(line.external_line_id or 0): int(line.quantity) for line in order.lines}
    assert shipments[0].shipping_provider == "usps"
    assert "SO-1/ship/1" in shipments[0].comments


def test_a_retry_after_a_lost_response_finds_the_shipment_by_key(store: Store) -> None:
    order = _our_order(store)
    gateway = BigCommerceGateway(store.client)
    gateway.perform(CREATE_SHIPMENT, order, "SO-2/ship/1", {"trackingNumber": "T-1"})

    again = gateway.perform(CREATE_SHIPMENT, order, "SO-2/ship/1", {"trackingNumber": "T-1b"})

    assert "already exists" in again.details
    assert len(store.client.shipments(int(order.external_order_id))) == 1


def test_a_shipment_of_chosen_lines(store: Store) -> None:
    order = _our_order(store, lines=3)
    chosen = order.lines[1]
    parameters = {"trackingNumber": "T-2", "lineIds": chosen.line_id}

    BigCommerceGateway(store.client).perform(CREATE_SHIPMENT, order, "k", parameters)

    (shipment,) = store.client.shipments(int(order.external_order_id))
    assert [(i.order_product_id, i.quantity) for i in shipment.items] == [
        (int(chosen.external_line_id or 0), int(chosen.quantity))
    ]


def test_a_shipment_without_a_tracking_number_is_permanent(store: Store) -> None:
    order = _our_order(store)
    with pytest.raises(PermanentProviderFailure, match="trackingNumber"):
        BigCommerceGateway(store.client).perform(CREATE_SHIPMENT, order, "k", {})


def test_throttling_during_a_shipment_is_transient_and_the_retry_ships_once(store: Store) -> None:
    order = _our_order(store)
    gateway = BigCommerceGateway(store.client)
    store.sim.fail_next(1, status=429, retry_after_s=1)

    with pytest.raises(TransientProviderFailure):
        gateway.perform(CREATE_SHIPMENT, order, "k-9", {"trackingNumber": "T-9"})
    gateway.perform(CREATE_SHIPMENT, order, "k-9", {"trackingNumber": "T-9"})
    gateway.perform(CREATE_SHIPMENT, order, "k-9", {"trackingNumber": "T-9"})

    assert len(store.client.shipments(int(order.external_order_id))) == 1


def test_an_order_from_another_channel_is_refused(store: Store) -> None:
    order = _our_order(store)
    order.channel = "shopify"
    with pytest.raises(PermanentProviderFailure, match="not BigCommerce"):
        BigCommerceGateway(store.client).perform(UPDATE_STATUS, order, "k", {})


def test_an_unknown_action_is_permanent(store: Store) -> None:
    with pytest.raises(PermanentProviderFailure, match="no action"):
        BigCommerceGateway(store.client).perform("Send to Billing", _our_order(store), "k", {})


@pytest.mark.parametrize("signing_secret", [None, SIGNING, WHSEC])
def test_an_emitted_webhook_verifies(signing_secret: str | None) -> None:
    with running_inbox() as (inbox, url), running_store() as store:
        store.sim.webhooks = WebhookConfig(url, {HEADER: SECRET}, signing_secret)
        order_id = store.sim.create_order(order_spec())["id"]
        store.client.update_status(order_id, 9)

        outcome = store.sim.emit_webhook(
            "store/order/statusUpdated", order_id, previous_status_id=11
        )

    assert outcome["delivered"] is True
    ((headers, body),) = inbox.received
    delivery = verify_delivery(headers, body, HEADER, SECRET, signing_secret, datetime.now(UTC))
    assert delivery.envelope.scope == "store/order/statusUpdated"
    assert delivery.envelope.data.id == order_id
    assert delivery.envelope.data.status is not None
    assert delivery.envelope.data.status.new_status_id == 9
    assert delivery.envelope.data.status.previous_status_id == 11
    assert delivery.envelope.producer == f"stores/{store.sim.store_hash}"
    if signing_secret:
        assert delivery.dedupe_key == headers["Webhook-Id"]
        tampered = body.replace(b"statusUpdated", b"created")
        with pytest.raises(WebhookRejected, match="signature"):
            verify_delivery(headers, tampered, HEADER, SECRET, signing_secret, datetime.now(UTC))
    else:
        assert delivery.dedupe_key == f"hash:{json.loads(body)['hash']}"


def test_a_shipment_webhook_names_the_order() -> None:
    with running_inbox() as (inbox, url), running_store() as store:
        store.sim.webhooks = WebhookConfig(url, {HEADER: SECRET})
        order_id = store.sim.create_order(order_spec())["id"]
        store.sim.emit_webhook("store/shipment/created", order_id, shipment_id=12)

    ((headers, body),) = inbox.received
    delivery = verify_delivery(headers, body, HEADER, SECRET, None, datetime.now(UTC))
    assert (delivery.envelope.data.type, delivery.envelope.data.id) == ("shipment", 12)
    assert delivery.envelope.data.order_id == order_id
