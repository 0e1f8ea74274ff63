"""Provider-native status events, translated into the hub's ProviderEvent shape.

Finance + Operations posts its business events (confirmed, picked, packing slip, invoiced) with
our order id as CustomersOrderReference; Flexe posts signed status changes of the outbound orders
we sent it (one per fulfillment order); anything already in the hub's shape passes through.
"""

from __future__ import annotations

from typing import Any

from providers.flexe.events import to_provider_event as flexe_event
from providers.flexe.schemas import STATUS_CHANGED, StatusChanged
from providers.flexe.webhooks import SIGNATURE_HEADER as FLEXE_SIGNATURE
from providers.flexe.webhooks import is_authentic

FNO_STATUS = {"confirmed": "confirmed", "picked": "picked", "packed": "packed",
              "invoiced": "invoiced", "cancelled": "cancelled"}  # fmt: skip
# Header that carries a provider's shared secret when it cannot send ours (X-Provider-Secret).
SECRET_HEADERS = {"fno": "x-fno-event-secret"}
# Header carrying a provider's HMAC of the raw body, for providers that sign their webhooks.
SIGNATURE_HEADERS = {"flexe": FLEXE_SIGNATURE.lower()}


def translate(provider: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The event as the hub's ProviderEvent fields (unknown shapes pass through unchanged)."""
    if provider == "fno" and "salesOrderNumber" in payload:
        return {
            "eventId": payload.get("eventId"),
            "status": FNO_STATUS.get(str(payload.get("event")), str(payload.get("event"))),
            **_fno_order(payload),
            "occurredAt": payload.get("occurredAt"),
            "details": f"F&O {payload.get('dataAreaId')}/{payload.get('salesOrderNumber')}: "
            f"{payload.get('salesOrderProcessingStatus')}",
        }
    if provider == "flexe" and payload.get("type") == STATUS_CHANGED:
        return flexe_event(StatusChanged.model_validate(payload))
    return payload


def _fno_order(payload: dict[str, Any]) -> dict[str, Any]:
    # Orders we sent carry our id as CustomersOrderReference; F&O's own orders reached us by the
    # inbound pull under channel "fno" and external id "<dataAreaId>/<SalesOrderNumber>".
    reference = payload.get("customersOrderReference")
    if reference:
        return {"orderId": reference}
    external = f"{payload.get('dataAreaId')}/{payload.get('salesOrderNumber')}"
    return {"channel": "fno", "externalOrderId": external}


def signature_header(provider: str) -> str | None:
    """The header carrying the provider's HMAC of the raw body, if it signs its webhooks."""
    return SIGNATURE_HEADERS.get(provider)


def is_signed(provider: str, secret: str, body: bytes, header: str | None) -> bool:
    """True when the header carries the provider's signature of the raw body."""
    return provider == "flexe" and is_authentic(secret, body, header)


def secret_header(provider: str) -> str | None:
    """The provider's own secret header name, if it has one."""
    return SECRET_HEADERS.get(provider)
