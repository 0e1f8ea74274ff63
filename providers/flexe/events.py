"""Flexe status webhooks, translated into the hub's ProviderEvent fields.

The externalId Flexe echoes is our fulfillment order id (`<order id>-NN`) or, when the order
had no fulfillment orders, our order id; the suffix is stripped to name the order. Shipped
events name the lines their shipments carried. Statuses the hub has no business event for
(received, rejected) are reported as "confirmed": recorded on the order's timeline with
Flexe's reason in the details, changing no state (a rejection needs a person, not a rollback).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from providers.flexe.schemas import StatusChanged

# Flexe status -> the hub's ProviderStatus value.
FLEXE_STATUS = {
    "received": "confirmed", "accepted": "confirmed", "rejected": "confirmed",
    "picked": "picked", "packed": "packed", "shipped": "shipped", "cancelled": "cancelled",
}  # fmt: skip
_SUFFIX = re.compile(r"^(?P<order>.+)-(?P<number>\d{2,})$")
MAX_DETAILS = 2000


def order_id_of(external_id: str) -> str:
    """Our order id in an externalId: a trailing `-NN` goes when what precedes it is a UUID."""
    match = _SUFFIX.match(external_id)
    if match is not None and _is_uuid(match["order"]):
        return match["order"]
    return external_id


def to_provider_event(
    event: StatusChanged, line_ids: Sequence[str] | None = None
) -> dict[str, Any]:
    """The webhook as ProviderEvent fields; `line_ids` narrows a non-shipment event's lines."""
    status = FLEXE_STATUS.get(event.status, event.status)
    fields: dict[str, Any] = {
        "eventId": event.event_id,
        "status": status,
        "orderId": order_id_of(event.external_id),
        "occurredAt": event.occurred_at,
        "details": _details(event)[:MAX_DETAILS],
    }
    shipped = _shipped_lines(event)
    if event.status == "shipped" and shipped:
        fields["lineIds"] = shipped
    elif line_ids:
        fields["lineIds"] = list(dict.fromkeys(line_ids))
    return fields


def _shipped_lines(event: StatusChanged) -> list[str]:
    """Every line a shipment of the event carried, first seen first."""
    seen = (line.line_id for shipment in event.shipments for line in shipment.lines)
    return list(dict.fromkeys(seen))


def _details(event: StatusChanged) -> str:
    text = f"Flexe outbound order {event.order_id} ({event.external_id}): {event.status}"
    if event.reason:
        text += f"; reason: {event.reason}"
    tracking = [
        f"{shipment.carrier or 'carrier?'} {shipment.tracking_number}"
        for shipment in event.shipments
        if shipment.tracking_number
    ]
    if tracking:
        text += f"; tracking: {', '.join(tracking)}"
    return text


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36
