"""BigCommerce as a storefront for intake: orders read through the client, webhooks verified.

An incomplete order (status_id 0, a checkout not finished; `store/order/created` fires for it
too) is not taken: its later status change sends another webhook. Callbacks about orders
(`store/order/created|updated|statusUpdated`) name the order to take; shipment, archive and
other scopes are authentic but ask for nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime

from pydantic import ValidationError

from providers.bigcommerce.client import BigCommerceClient
from providers.bigcommerce.mapping import CHANNEL, to_place_order
from providers.bigcommerce.webhooks import WebhookRejected, verify_delivery
from services.orders.commands import PlaceOrder
from services.providers.gateway import PermanentProviderFailure
from services.storefront_intake import WebhookRefused

INCOMPLETE = 0
SECRET_HEADER = "X-Hub-Webhook-Secret"  # the custom header registered with the store's hooks
ORDER_SCOPES = frozenset(
    {"store/order/created", "store/order/updated", "store/order/statusUpdated"}
)
CACHED_STORES = 8
TIMEOUT_SECONDS = 30.0


class BigCommerceOrders:
    """Implements StorefrontOrders for one store through its Orders V2 client."""

    def __init__(self, client: BigCommerceClient, name: str = CHANNEL) -> None:
        self._client = client
        self._name = name

    @property
    def name(self) -> str:
        """Identifies the store (names its reconciliation checkpoint)."""
        return self._name

    def fetch(self, order_id: int) -> PlaceOrder | None:
        """The intake command for the order, or None while it is incomplete."""
        order = self._client.get_order(order_id)
        if order.status_id == INCOMPLETE:
            return None
        products = self._client.order_products(order_id)
        addresses = self._client.shipping_addresses(order_id)
        try:
            return to_place_order(order, products, addresses[0] if addresses else None)
        except ValidationError as err:
            message = f"BigCommerce order {order_id} cannot be taken: {err.error_count()} error(s)"
            raise PermanentProviderFailure(f"{message}: {_first_error(err)}") from err

    def modified_since(self, since: datetime, limit: int) -> list[tuple[int, datetime]]:
        """Up to `limit` (order id, modified at) changed since `since` (inclusive), oldest first."""
        changed: list[tuple[int, datetime]] = []
        for order in self._client.list_orders(since):
            changed.append((order.id, order.date_modified or order.date_created or since))
            if len(changed) >= limit:
                break
        return changed


@functools.lru_cache(maxsize=CACHED_STORES)
def orders_for(base_url: str, store_hash: str, token: str) -> BigCommerceOrders:
    """The (cached) storefront of a store: one client per base URL, store and token."""
    client = BigCommerceClient(base_url, store_hash, token, timeout_s=TIMEOUT_SECONDS)
    return BigCommerceOrders(client, f"{CHANNEL}:{store_hash}")


def verify_order_webhook(
    headers: Mapping[str, str],
    raw_body: bytes,
    webhook_secret: str | None,
    signing_secret: str | None,
    now: datetime,
) -> tuple[int, str] | None:
    """(order id, dedupe key) of an authentic order callback, None for other scopes.

    Raises WebhookRefused when the secret header, the signature or the body is wrong.
    """
    try:
        delivery = verify_delivery(
            headers, raw_body, SECRET_HEADER, webhook_secret or "", signing_secret, now
        )
    except WebhookRejected as err:
        raise WebhookRefused(err.reason) from err
    envelope = delivery.envelope
    if envelope.scope not in ORDER_SCOPES or envelope.data.id <= 0:
        return None
    return envelope.data.id, delivery.dedupe_key


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])
