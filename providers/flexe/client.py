"""HTTP client for the Flexe outbound-order API (see CONTRACT.md), classifying every failure."""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from providers.flexe.schemas import (
    ErrorBody,
    OutboundOrder,
    OutboundOrderList,
    OutboundOrderRequest,
    Shipment,
    ShipmentList,
)
from providers.http import PooledClient, failure_for_status, retry_after_seconds
from services.providers.gateway import (
    PermanentProviderFailure,
    ProviderFailure,
    TransientProviderFailure,
)

Model = TypeVar("Model", bound=BaseModel)
ORDERS = "/v1/outbound-orders"


class FlexeClient(PooledClient):
    """Talks to Flexe with a bearer API key; raises ProviderFailure for every failed call."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def create_outbound_order(
        self, request: OutboundOrderRequest, idempotency_key: str
    ) -> OutboundOrder:
        """Create the outbound order, or get the existing one for a repeated key or externalId."""
        response = self._send(
            "POST", ORDERS, json=request.wire(), headers={"Idempotency-Key": idempotency_key}
        )
        return _parse(OutboundOrder, response)

    def outbound_order(self, order_id: str) -> OutboundOrder:
        """The outbound order with this Flexe id."""
        return _parse(OutboundOrder, self._send("GET", f"{ORDERS}/{quote(order_id, safe='')}"))

    def find_by_external_id(self, external_id: str) -> OutboundOrder | None:
        """The outbound order created for this external id, if Flexe has one."""
        response = self._send("GET", ORDERS, params={"externalId": external_id})
        found = _parse(OutboundOrderList, response).outbound_orders
        return next((order for order in found if order.external_id == external_id), None)

    def shipments(self, order_id: str) -> list[Shipment]:
        """The shipments of an outbound order, with carrier, tracking and lines."""
        response = self._send("GET", f"{ORDERS}/{quote(order_id, safe='')}/shipments")
        return _parse(ShipmentList, response).shipments

    def cancel(
        self, order_id: str, idempotency_key: str, reason: str | None = None
    ) -> OutboundOrder:
        """Cancel the outbound order; a shipped one fails permanently (409)."""
        response = self._send(
            "POST",
            f"{ORDERS}/{quote(order_id, safe='')}/cancel",
            json={"reason": reason} if reason else {},
            headers={"Idempotency-Key": idempotency_key},
        )
        return _parse(OutboundOrder, response)

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            response = self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TimeoutException as err:
            raise TransientProviderFailure(f"Flexe {method} {path} timed out: {err}") from err
        except httpx.TransportError as err:
            raise TransientProviderFailure(f"Flexe {method} {path} unreachable: {err}") from err
        if response.is_success:
            return response
        raise failure_for(response)


def failure_for(response: httpx.Response) -> ProviderFailure:
    """The transient or permanent failure an unsuccessful Flexe response stands for."""
    status = response.status_code
    try:
        detail = ErrorBody.model_validate_json(response.content).error
        said = f"{detail.code}: {detail.message}"
    except ValidationError:
        said = response.text[:200]
    message = f"Flexe {response.request.method} {response.request.url.path} -> {status} {said}"
    return failure_for_status(
        message, status, retry_after_seconds(response.headers.get("Retry-After"))
    )


def _parse(model: type[Model], response: httpx.Response) -> Model:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as err:
        raise PermanentProviderFailure(
            f"Flexe answered {response.request.url.path} with an unreadable body: {err}",
            status=response.status_code,
        ) from err
