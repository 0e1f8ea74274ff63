"""The BigCommerce client against the simulator over loopback HTTP: reads, paging, failures."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import httpx
import pytest

from providers.bigcommerce.client import BigCommerceClient
from providers.bigcommerce.mapping import to_place_order
from services.orders.commands import PlaceOrder
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from simulators.server import base_url, serve
from tests.providers.bigcommerce_support import STORE_HASH, Store, order_spec, running_store

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


@pytest.fixture
def store() -> Iterator[Store]:
    with running_store() as running:
        yield running


def _api_calls(store: Store) -> list[str]:
    return [f"{c['method']} {c['path']}?{c['query']} {c['status']}" for c in store.sim.calls]


def test_reads_an_order_with_60_lines_across_pages_and_its_address(store: Store) -> None:
    order_id = store.sim.create_order(order_spec(lines=60))["id"]

    order = store.client.get_order(order_id)
    products = store.client.order_products(order_id)
    addresses = store.client.shipping_addresses(order_id)

    assert order.id == order_id
    assert order.status_id == 11
    assert order.date_created is not None
    assert order.date_created.tzinfo is not None
    assert [p.sku for p in products] == [f"SKU-{n}" for n in range(1, 61)]
    assert len({p.id for p in products}) == 60
    assert addresses[0].country_iso2 == "US"
    assert addresses[0].id == products[0].order_address_id
    product_pages = [c for c in _api_calls(store) if "/products" in c]
    assert product_pages == [
        f"GET /stores/{STORE_HASH}/v2/orders/{order_id}/products?page=1&limit=50 200",
        f"GET /stores/{STORE_HASH}/v2/orders/{order_id}/products?page=2&limit=50 200",
    ]


def test_an_order_maps_to_a_valid_place_order_with_exact_decimals(store: Store) -> None:
    spec = order_spec(lines=1)
    spec["products"][0].update(quantity=2, discount="1.0000")
    order_id = store.sim.create_order(spec)["id"]
    products = store.client.order_products(order_id)

    command = to_place_order(
        store.client.get_order(order_id), products, store.client.shipping_addresses(order_id)[0]
    )

    again = PlaceOrder.model_validate(command.model_dump(by_alias=True))
    assert again == command
    assert command.channel == "bigcommerce"
    assert command.external_order_id == str(order_id)
    assert command.customer_id == "11"
    assert command.currency == "USD"
    assert command.ship_to.country == "US"
    assert command.ship_to.name == "Jane Doe"
    assert command.ship_to.postal_code == "78108"
    line = command.lines[0]
    assert line.product_id == "SKU-1"
    assert line.external_line_id == str(products[0].id)
    assert line.quantity == Decimal(2)
    assert line.unit_price == Decimal("10.50")
    assert line.tax == Decimal("1.68")
    assert line.discount == Decimal("1.00")


def test_a_wrong_token_is_a_permanent_failure(store: Store) -> None:
    order_id = store.sim.create_order(order_spec())["id"]
    client = BigCommerceClient(store.url, STORE_HASH, "wrong")
    with client, pytest.raises(PermanentProviderFailure) as caught:
        client.get_order(order_id)
    assert caught.value.status == 401
    assert not caught.value.transient


def test_an_unknown_order_is_a_permanent_failure(store: Store) -> None:
    with pytest.raises(PermanentProviderFailure) as caught:
        store.client.get_order(999_999)
    assert caught.value.status == 404


def test_429_is_transient_with_the_reset_window_in_seconds(store: Store) -> None:
    order_id = store.sim.create_order(order_spec())["id"]
    store.sim.fail_next(1, status=429, retry_after_s=2.5)

    with pytest.raises(TransientProviderFailure) as caught:
        store.client.get_order(order_id)

    assert caught.value.status == 429
    assert caught.value.retry_after == pytest.approx(2.5)
    assert store.client.get_order(order_id).id == order_id  # the fault plan is spent


def test_503_is_transient_with_retry_after(store: Store) -> None:
    order_id = store.sim.create_order(order_spec())["id"]
    store.sim.fail_next(1, status=503, retry_after_s=7)

    with pytest.raises(TransientProviderFailure) as caught:
        store.client.update_status(order_id, 2)

    assert caught.value.status == 503
    assert caught.value.retry_after == pytest.approx(7)
    assert store.client.get_order(order_id).status_id == 11  # the failed PUT changed nothing


def test_500_without_a_delay_is_transient_without_retry_after(store: Store) -> None:
    store.sim.fail_next(1, status=500)
    with pytest.raises(TransientProviderFailure) as caught:
        list(store.client.list_orders())
    assert caught.value.retry_after is None


def test_a_spent_quota_answers_429_until_the_window_resets() -> None:
    with running_store(quota=2, window_ms=60_000) as store:
        order_id = store.sim.create_order(order_spec())["id"]
        store.client.get_order(order_id)
        store.client.get_order(order_id)
        with pytest.raises(TransientProviderFailure) as caught:
            store.client.get_order(order_id)
    assert caught.value.retry_after is not None
    assert 0 < caught.value.retry_after <= 60


def test_list_orders_pages_until_204_and_filters_by_date_modified(store: Store) -> None:
    ids = [store.sim.create_order(order_spec())["id"] for _ in range(4)]
    store.sim.calls.clear()
    client = BigCommerceClient(store.url, STORE_HASH, "token-for-tests", page_limit=2)

    since = datetime.now(UTC) - timedelta(minutes=5)
    listed = [order.id for order in client.list_orders(since)]
    later = list(client.list_orders(datetime.now(UTC) + timedelta(minutes=5)))
    client.close()

    assert listed == ids
    assert later == []
    statuses = [c["status"] for c in store.sim.calls]
    assert statuses == [200, 200, 204, 204]


def test_a_slow_store_is_a_transient_timeout() -> None:
    def slow(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        time.sleep(1)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    server, thread = serve(slow, 0)
    try:
        client = BigCommerceClient(base_url(server), STORE_HASH, "t", timeout_s=0.2)
        with client, pytest.raises(TransientProviderFailure, match="timed out"):
            client.get_order(1)
    finally:
        server.shutdown()
        thread.join()


def test_an_unreachable_store_is_transient() -> None:
    server, thread = serve(lambda environ, start_response: [], 0)
    url = base_url(server)
    server.shutdown()
    thread.join()
    server.server_close()
    client = BigCommerceClient(url, STORE_HASH, "t")
    with client, pytest.raises(TransientProviderFailure):
        client.get_order(1)


def test_rate_limit_headers_come_on_every_response(store: Store) -> None:
    url = f"{store.url}/stores/{STORE_HASH}/v2/orders"
    response = httpx.get(url, headers={"X-Auth-Token": "wrong"})
    assert response.status_code == 401
    assert response.headers["X-Rate-Limit-Requests-Quota"] == "150"
    assert int(response.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 30_000
    assert "X-Rate-Limit-Requests-Left" in response.headers
