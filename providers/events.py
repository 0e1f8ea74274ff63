"""Provider-native status events, translated into the hub's ProviderEvent shape.

Finance + Operations posts its business events (confirmed, picked, packing slip, invoiced) with
our order id as CustomersOrderReference; anything already in the hub's shape passes through.
"""

from __future__ import annotations

from typing import Any

FNO_STATUS = {"confirmed": "confirmed", "picked": "picked", "packed": "packed",
              "invoiced": "invoiced", "cancelled": "cancelled"}  # fmt: skip
# Header that carries a provider's shared secret when it cannot send ours (X-Provider-Secret).
SECRET_HEADERS = {"fno": "x-fno-event-secret"}


def translate(provider: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The event as the hub's ProviderEvent fields (unknown shapes pass through unchanged)."""
    if provider == "fno" and "salesOrderNumber" in payload:
        return {
            "eventId": payload.get("eventId"),
            "status": FNO_STATUS.get(str(payload.get("event")), str(payload.get("event"))),
            "orderId": payload.get("customersOrderReference"),
            "occurredAt": payload.get("occurredAt"),
            "details": f"F&O {payload.get('dataAreaId')}/{payload.get('salesOrderNumber')}: "
            f"{payload.get('salesOrderProcessingStatus')}",
        }
    return payload


def secret_header(provider: str) -> str | None:
    """The provider's own secret header name, if it has one."""
    return SECRET_HEADERS.get(provider)
