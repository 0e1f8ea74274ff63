"""An httpx client for BigCommerce Orders V2 that classifies failures for the gateway.

Throttling (429), unavailability (5xx) and transport errors or timeouts raise
TransientProviderFailure with the delay the store asked for (on a 429 `X-Rate-Limit-Time-Reset-Ms`
in milliseconds, else `Retry-After` / `X-Retry-After` in seconds); 401, other 4xx and payloads
that do not parse raise PermanentProviderFailure. 204 means an empty collection.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from providers.bigcommerce.schemas import Order, OrderProduct, Shipment, ShippingAddress
from providers.http import PooledClient, failure_for_status
from providers.http import retry_after_seconds as delay_seconds
from services.providers.gateway import PermanentProviderFailure, TransientProviderFailure

PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 250
DEFAULT_TIMEOUT_S = 10.0
M = TypeVar("M", bound=BaseModel)


def retry_after_seconds(
    headers: httpx.Headers, status: int, now: datetime | None = None
) -> float | None:
    """The delay the provider asked for, in seconds, or None when it named none.

    The quota window's reset counts only for a 429: every response carries it.
    """
    reset_ms = headers.get("x-rate-limit-time-reset-ms") if status == 429 else None
    if reset_ms is not None:
        try:
            return max(float(reset_ms) / 1000, 0.0)
        except ValueError:
            pass  # unreadable: fall back to Retry-After
    for name in ("retry-after", "x-retry-after"):
        seconds = delay_seconds(headers.get(name), now)
        if seconds is not None:
            return seconds
    return None


def classify(response: httpx.Response) -> None:
    """Raise the gateway failure a non-2xx response stands for; return on success."""
    status = response.status_code
    if status < 400:
        return
    what = f"BigCommerce {response.request.method} {response.request.url.path}: HTTP {status}"
    detail = response.text[:300]
    message = f"{what}: {detail}" if detail else what
    raise failure_for_status(message, status, retry_after_seconds(response.headers, status))


class BigCommerceClient(PooledClient):
    """Orders V2 of one store: `{base_url}/stores/{store_hash}/v2`, authenticated by token."""

    def __init__(
        self,
        base_url: str,
        store_hash: str,
        token: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        page_limit: int = PAGE_LIMIT,
    ) -> None:
        if not 1 <= page_limit <= MAX_PAGE_LIMIT:
            raise ValueError(f"page_limit must be 1..{MAX_PAGE_LIMIT}")
        self.page_limit = page_limit
        self._http = httpx.Client(
            base_url=f"{base_url.rstrip('/')}/stores/{store_hash}/v2",
            headers={"X-Auth-Token": token, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout_s),
        )

    def get_order(self, order_id: int) -> Order:
        """The order header."""
        return _parse(Order, self._call("GET", f"/orders/{order_id}"))

    def order_products(self, order_id: int) -> list[OrderProduct]:
        """Every line of the order, paging until 204 or a short page."""
        return list(self._pages(OrderProduct, f"/orders/{order_id}/products", {}))

    def shipping_addresses(self, order_id: int) -> list[ShippingAddress]:
        """The order's ship-to addresses."""
        return list(self._pages(ShippingAddress, f"/orders/{order_id}/shipping_addresses", {}))

    def list_orders(
        self,
        min_date_modified: datetime | None = None,
        *,
        page: int = 1,
        sort: str = "date_modified:asc",
    ) -> Iterator[Order]:
        """Orders modified at or after the given time, from `page` on, until 204 or a short page."""
        params: dict[str, str] = {"sort": sort}
        if min_date_modified is not None:
            params["min_date_modified"] = min_date_modified.isoformat()
        return self._pages(Order, "/orders", params, first_page=page)

    def update_status(self, order_id: int, status_id: int) -> Order:
        """Set the order's status_id (PUT, partial update); returns the updated order."""
        body = {"status_id": status_id}
        return _parse(Order, self._call("PUT", f"/orders/{order_id}", json=body))

    def shipments(self, order_id: int) -> list[Shipment]:
        """The order's shipments (none when the store answers 204)."""
        return list(self._pages(Shipment, f"/orders/{order_id}/shipments", {}))

    def create_shipment(
        self,
        order_id: int,
        order_address_id: int,
        items: Sequence[tuple[int, int]],
        tracking_number: str,
        shipping_provider: str = "",
        comments: str = "",
    ) -> Shipment:
        """Create a shipment of (order_product_id, quantity) items to one ship-to address."""
        body = {
            "order_address_id": order_address_id,
            "items": [{"order_product_id": pid, "quantity": qty} for pid, qty in items],
            "tracking_number": tracking_number,
            "shipping_provider": shipping_provider,
            "comments": comments,
        }
        return _parse(Shipment, self._call("POST", f"/orders/{order_id}/shipments", json=body))

    def _pages(
        self, model: type[M], path: str, params: Mapping[str, str], *, first_page: int = 1
    ) -> Iterator[M]:
        page = first_page
        while True:
            query = {**params, "page": str(page), "limit": str(self.page_limit)}
            payload = self._call("GET", path, params=query)
            if payload is None:
                return
            items = _parse_list(model, payload)
            yield from items
            if len(items) < self.page_limit:
                return
            page += 1

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        try:
            response = self._http.request(method, path, params=params, json=json)
        except httpx.TimeoutException as err:
            raise TransientProviderFailure(f"BigCommerce {method} {path}: timed out") from err
        except httpx.TransportError as err:
            message = f"BigCommerce {method} {path}: {type(err).__name__}: {err}"
            raise TransientProviderFailure(message) from err
        classify(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as err:
            message = f"BigCommerce {method} {path}: response is not JSON"
            raise PermanentProviderFailure(message, status=response.status_code) from err


def _parse(model: type[M], payload: Any) -> M:
    try:
        return model.model_validate(payload)
    except ValidationError as err:
        message = f"BigCommerce sent an unreadable {model.__name__}: {err}"
        raise PermanentProviderFailure(message) from err


def _parse_list(model: type[M], payload: Any) -> list[M]:
    try:
        return TypeAdapter(list[model]).validate_python(payload)  # type: ignore[valid-type]
    except ValidationError as err:
        message = f"BigCommerce sent an unreadable {model.__name__} list: {err}"
        raise PermanentProviderFailure(message) from err
