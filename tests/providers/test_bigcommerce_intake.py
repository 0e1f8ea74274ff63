"""BigCommerce as a storefront: orders read from the simulator, its webhooks verified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from providers.bigcommerce.intake import (
    SECRET_HEADER,
    BigCommerceOrders,
    orders_for,
    verify_order_webhook,
)
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure
from services.storefront_intake import WebhookRefused
from simulators.bigcommerce.callbacks import WebhookConfig
from tests.providers.bigcommerce_support import (
    STORE_HASH,
    TOKEN,
    order_spec,
    running_inbox,
    running_store,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECRET, SIGNING = "hook-secret", "app-client-secret"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_an_order_is_read_and_mapped_for_intake() -> None:
    with running_store() as store:
        created = store.sim.create_order(order_spec(lines=2, status_id=11))

        command = BigCommerceOrders(store.client).fetch(created["id"])

    assert command is not None
    assert (command.channel, command.external_order_id) == ("bigcommerce", str(created["id"]))
    assert [line.product_id for line in command.lines] == ["SKU-1", "SKU-2"]
    assert command.ship_to.city == "Austin"


def test_an_incomplete_order_is_not_taken_yet() -> None:
    with running_store() as store:
        created = store.sim.create_order(order_spec(status_id=0))

        assert BigCommerceOrders(store.client).fetch(created["id"]) is None


def test_an_unknown_order_fails_for_good_and_throttling_for_now() -> None:
    with running_store() as store:
        orders = BigCommerceOrders(store.client)
        with pytest.raises(PermanentProviderFailure):
            orders.fetch(999)
        store.sim.fail_next(1, 429, retry_after_s=2)
        with pytest.raises(TransientProviderFailure) as caught:
            orders.fetch(101)
    assert caught.value.retry_after == 2


def test_changed_orders_are_listed_oldest_change_first_up_to_the_limit() -> None:
    clock = Clock()
    with running_store(clock=clock) as store:
        ids = []
        for minutes in (0, 5, 10):
            clock.now = T0 + timedelta(minutes=minutes)
            ids.append(store.sim.create_order(order_spec())["id"])
        orders = BigCommerceOrders(store.client, "bigcommerce:abc123")

        since_five = orders.modified_since(T0 + timedelta(minutes=5), limit=10)
        first_two = orders.modified_since(T0 - timedelta(days=1), limit=2)

    assert orders.name == "bigcommerce:abc123"
    assert since_five == [(ids[1], T0 + timedelta(minutes=5)), (ids[2], T0 + timedelta(minutes=10))]
    assert first_two == [(ids[0], T0), (ids[1], T0 + timedelta(minutes=5))]


def test_the_storefront_of_a_store_is_built_once() -> None:
    with running_store() as store:
        first = orders_for(store.url, STORE_HASH, TOKEN)
        assert orders_for(store.url, STORE_HASH, TOKEN) is first
        assert first.name == f"bigcommerce:{STORE_HASH}"
        assert first.fetch(store.sim.create_order(order_spec())["id"]) is not None


def _delivered(
    scope: str, headers: dict[str, str], signing: str | None = None
) -> tuple[dict[str, str], bytes, int]:
    """Emit one callback from the simulator to an inbox; the headers and body it received."""
    with running_inbox() as (inbox, url), running_store() as store:
        store.sim.webhooks = WebhookConfig(url, headers, signing)
        order_id = store.sim.create_order(order_spec())["id"]
        emitted = httpx.post(
            f"{store.url}/_admin/webhooks/emit", json={"scope": scope, "orderId": order_id}
        ).json()
    assert emitted["delivered"] is True
    received_headers, body = inbox.received[0]
    return received_headers, body, order_id


def test_an_order_callback_names_the_order_and_its_hash() -> None:
    headers, body, order_id = _delivered("store/order/created", {SECRET_HEADER: SECRET})

    taken = verify_order_webhook(headers, body, SECRET, None, datetime.now(UTC))

    assert taken is not None
    assert taken[0] == order_id
    assert taken[1].startswith("hash:")


def test_a_signed_callback_is_keyed_by_its_webhook_id() -> None:
    headers, body, order_id = _delivered("store/order/statusUpdated", {SECRET_HEADER: SECRET},
                                         SIGNING)  # fmt: skip

    taken = verify_order_webhook(headers, body, SECRET, SIGNING, datetime.now(UTC))

    assert taken == (order_id, headers["Webhook-Id"])


@pytest.mark.parametrize(
    ("secret", "signing", "reason"),
    [("other", None, "wrong"), (None, None, "no webhook secret"),
     (SECRET, "not-the-app-secret", "no webhook-signature matches")],
)  # fmt: skip
def test_a_callback_that_is_not_authentic_is_refused(
    secret: str | None, signing: str | None, reason: str
) -> None:
    headers, body, _ = _delivered("store/order/created", {SECRET_HEADER: SECRET}, SIGNING)

    with pytest.raises(WebhookRefused, match=reason):
        verify_order_webhook(headers, body, secret, signing, datetime.now(UTC))


def test_shipment_and_archive_callbacks_ask_for_nothing() -> None:
    for scope in ("store/shipment/created", "store/order/archived"):
        headers, body, _ = _delivered(scope, {SECRET_HEADER: SECRET})
        assert verify_order_webhook(headers, body, SECRET, None, datetime.now(UTC)) is None
