"""Verify a BigCommerce webhook delivery: the custom secret header and Standard Webhooks signature.

Pure: the caller passes the headers, the raw body, the configured secrets and the time. The
custom header (registered with the hook) is always required and compared in constant time.
When a signing secret is configured the delivery must also carry a valid Standard Webhooks
signature (`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, a
space-separated list allowed) with `webhook-timestamp` within the tolerance of now. The HMAC key
is the secret's bytes (BigCommerce: the app's client secret); a `whsec_`-prefixed secret is
base64-decoded as the Standard Webhooks libraries do. Replays are the caller's to refuse: the
delivery's `dedupe_key` (`webhook-id`, else the envelope `hash`) is stable across re-sends.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from providers.bigcommerce.schemas import WebhookEnvelope

SIGNATURE_VERSION = "v1"
SECRET_PREFIX = "whsec_"


class WebhookRejected(Exception):
    """The delivery is not authentic (or not readable); `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebhookDelivery:
    """An authenticated delivery: the envelope and the key that identifies re-sends."""

    envelope: WebhookEnvelope
    dedupe_key: str
    webhook_id: str | None = None
    timestamp: int | None = None


def signing_key(secret: str) -> bytes:
    """The HMAC key for a signing secret (`whsec_<base64>` decoded, else the raw bytes)."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except binascii.Error as err:
            raise ValueError("signing secret is not valid base64 after 'whsec_'") from err
    return secret.encode()


def sign(secret: str, webhook_id: str, timestamp: int, raw_body: bytes) -> str:
    """The `webhook-signature` value for a delivery (`v1,<base64>`)."""
    signed = f"{webhook_id}.{timestamp}.".encode() + raw_body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def verify_delivery(
    headers: Mapping[str, str],
    raw_body: bytes,
    secret_header_name: str,
    secret_value: str,
    signing_secret: str | None,
    now: datetime,
    tolerance_s: int = 300,
) -> WebhookDelivery:
    """The authenticated delivery; raises WebhookRejected with the reason otherwise."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if not secret_header_name or not secret_value:
        raise WebhookRejected("no webhook secret is configured")
    presented = lowered.get(secret_header_name.lower())
    if presented is None:
        raise WebhookRejected(f"missing {secret_header_name} header")
    if not hmac.compare_digest(presented.encode(), secret_value.encode()):
        raise WebhookRejected(f"wrong {secret_header_name} header")
    webhook_id: str | None = None
    timestamp: int | None = None
    if signing_secret:
        checked = _check_signature(lowered, raw_body, signing_secret, now, tolerance_s)
        webhook_id, timestamp = checked
    try:
        envelope = WebhookEnvelope.model_validate_json(raw_body)
    except ValidationError as err:
        raise WebhookRejected(f"unreadable webhook body: {err.error_count()} error(s)") from err
    dedupe_key = webhook_id or lowered.get("webhook-id") or f"hash:{envelope.hash}"
    return WebhookDelivery(envelope, dedupe_key, webhook_id, timestamp)


def _check_signature(
    headers: Mapping[str, str], raw_body: bytes, secret: str, now: datetime, tolerance_s: int
) -> tuple[str, int]:
    webhook_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not webhook_id or not stamp or not signatures:
        raise WebhookRejected("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookRejected("webhook-timestamp is not a Unix time") from None
    skew = now.timestamp() - timestamp
    if skew > tolerance_s:
        raise WebhookRejected("webhook-timestamp is too old")
    if -skew > tolerance_s:
        raise WebhookRejected("webhook-timestamp is in the future")
    expected = sign(secret, webhook_id, timestamp, raw_body).encode()
    for candidate in signatures.split():
        if hmac.compare_digest(candidate.encode(), expected):
            return webhook_id, timestamp
    raise WebhookRejected("no webhook-signature matches")
