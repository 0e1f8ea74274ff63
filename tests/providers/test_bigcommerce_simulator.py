"""The BigCommerce simulator's admin API and store rules, driven over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from providers.bigcommerce.webhooks import verify_delivery
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from tests.providers.bigcommerce_support import (
    STORE_HASH,
    TOKEN,
    Store,
    order_spec,
    running_inbox,
    running_store,
)


@pytest.fixture
def store() -> Iterator[Store]:
    with running_store() as running:
        yield running


def test_admin_endpoints_create_orders_plan_faults_and_list_calls(store: Store) -> None:
    admin = httpx.Client(base_url=f"{store.url}/_admin")
    created = admin.post("/orders", json=order_spec(lines=1, status_id=7))
    assert created.status_code == 201
    order = created.json()
    assert (order["status_id"], order["status"]) == (7, "Awaiting Payment")
    assert order["total_inc_tax"] == "22.6800"  # 2 x 11.34, money as a 4-decimal string
    assert order["date_created"].endswith("+0000")

    assert admin.post("/faults", json={"count": 2, "status": 503}).status_code == 204
    for _ in range(2):
        with pytest.raises(TransientProviderFailure):
            store.client.get_order(order["id"])
    assert admin.post("/faults", json={"count": 5}).status_code == 204
    assert admin.delete("/faults").status_code == 204
    assert store.client.get_order(order["id"]).id == order["id"]

    calls = admin.get("/calls").json()
    assert [c["status"] for c in calls] == [503, 503, 200]
    assert calls[0]["path"] == f"/stores/{STORE_HASH}/v2/orders/{order['id']}"
    assert admin.delete("/calls").status_code == 204
    assert admin.get("/calls").json() == []
    assert admin.post("/faults", json={"status": 418}).status_code == 400
    admin.close()


def test_admin_endpoints_configure_and_emit_a_signed_webhook(store: Store) -> None:
    order_id = store.sim.create_order(order_spec())["id"]
    with running_inbox() as (inbox, url), httpx.Client(base_url=f"{store.url}/_admin") as admin:
        config = {"destination": url, "headers": {"X-Secret": "v"}, "signingSecret": "k"}
        assert admin.put("/webhooks", json=config).status_code == 204
        emitted = admin.post(
            "/webhooks/emit", json={"scope": "store/order/created", "orderId": order_id}
        ).json()
        missing = admin.post("/webhooks/emit", json={"scope": "store/order/created", "orderId": 1})

    assert emitted["delivered"] is True
    assert emitted["status"] == 200
    assert missing.status_code == 404
    ((headers, body),) = inbox.received
    delivery = verify_delivery(headers, body, "X-Secret", "v", "k", datetime.now(UTC))
    assert delivery.dedupe_key == emitted["webhookId"]
    assert delivery.envelope.hash == emitted["envelope"]["hash"]


def test_emitting_without_a_destination_reports_it(store: Store) -> None:
    order_id = store.sim.create_order(order_spec())["id"]
    outcome = store.sim.emit_webhook("store/order/updated", order_id)
    assert outcome == {"delivered": False, "error": "no webhook destination is configured"}


def test_the_store_refuses_invalid_writes(store: Store) -> None:
    order = store.sim.create_order(order_spec(lines=1))
    (product,) = store.client.order_products(order["id"])
    (address,) = store.client.shipping_addresses(order["id"])

    with pytest.raises(PermanentProviderFailure) as bad_status:
        store.client.update_status(order["id"], 99)
    with pytest.raises(PermanentProviderFailure) as too_many:
        store.client.create_shipment(order["id"], address.id, [(product.id, 99)], "T")
    with pytest.raises(PermanentProviderFailure) as wrong_address:
        store.client.create_shipment(order["id"], 1, [(product.id, 1)], "T")

    assert bad_status.value.status == too_many.value.status == wrong_address.value.status == 400
    assert store.client.shipments(order["id"]) == []


def test_shipping_updates_the_shipped_counts(store: Store) -> None:
    order = store.sim.create_order(order_spec(lines=1))
    (product,) = store.client.order_products(order["id"])
    (address,) = store.client.shipping_addresses(order["id"])

    shipment = store.client.create_shipment(
        order["id"], address.id, [(product.id, product.quantity)], "EJ1", "usps"
    )

    assert shipment.tracking_number == "EJ1"
    assert shipment.date_created is not None
    assert store.client.get_order(order["id"]).items_shipped == product.quantity
    assert store.client.order_products(order["id"])[0].quantity_shipped == product.quantity


def test_a_page_limit_over_250_is_refused(store: Store) -> None:
    response = httpx.get(
        f"{store.url}/stores/{STORE_HASH}/v2/orders",
        params={"limit": 251},
        headers={"X-Auth-Token": TOKEN},
    )
    assert response.status_code == 413


def test_another_store_hash_is_not_found(store: Store) -> None:
    response = httpx.get(f"{store.url}/stores/other/v2/orders", headers={"X-Auth-Token": TOKEN})
    assert response.status_code == 404
