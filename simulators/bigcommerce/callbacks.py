"""Webhook callbacks as BigCommerce sends them: the envelope, custom headers, optional signing.

The envelope's `hash` is the SHA-1 hex of the JSON-encoded `data`. With a signing secret the
delivery carries Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`), keyed by the
secret's bytes (a `whsec_` secret is base64-decoded first).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

TIMEOUT_S = 10.0


@dataclass
class WebhookConfig:
    """Where callbacks go and how they authenticate (`headers` as registered with the hook)."""

    destination: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    signing_secret: str | None = None


def event_data(
    scope: str, order_id: int, status: tuple[int, int] | None, shipment_id: int | None
) -> dict[str, Any]:
    """The light `data` of a callback for the scope."""
    if scope.startswith("store/shipment/"):
        return {"type": "shipment", "id": shipment_id or 0, "orderId": order_id}
    data: dict[str, Any] = {"type": "order", "id": order_id}
    if scope == "store/order/statusUpdated" and status is not None:
        data["status"] = {"previous_status_id": status[0], "new_status_id": status[1]}
    return data


def envelope(
    scope: str, store_hash: str, store_id: str, data: Mapping[str, Any], now: int
) -> dict[str, Any]:
    """The callback body."""
    digest = hashlib.sha1(json.dumps(data).encode(), usedforsecurity=False).hexdigest()
    return {
        "scope": scope,
        "store_id": store_id,
        "data": dict(data),
        "hash": digest,
        "created_at": now,
        "producer": f"stores/{store_hash}",
    }


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks `webhook-signature` value."""
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def deliver(config: WebhookConfig, body: Mapping[str, Any], now: int) -> dict[str, Any]:
    """POST the callback to the destination; what happened, for the admin caller."""
    if not config.destination:
        return {"delivered": False, "error": "no webhook destination is configured"}
    raw = json.dumps(body).encode()
    webhook_id = f"msg_{uuid.uuid4().hex}"
    headers = {"Content-Type": "application/json", **config.headers}
    if config.signing_secret:
        headers["webhook-id"] = webhook_id
        headers["webhook-timestamp"] = str(now)
        headers["webhook-signature"] = signature(config.signing_secret, webhook_id, now, raw)
    try:
        response = httpx.post(config.destination, content=raw, headers=headers, timeout=TIMEOUT_S)
    except httpx.HTTPError as err:
        return {"delivered": False, "error": f"{type(err).__name__}: {err}", "envelope": body}
    return {
        "delivered": response.is_success,
        "status": response.status_code,
        "webhookId": webhook_id,
        "envelope": body,
    }
