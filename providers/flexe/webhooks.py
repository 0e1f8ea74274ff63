"""Flexe status webhooks: HMAC-SHA256 signature check over the raw body, then parsing."""

from __future__ import annotations

import hashlib
import hmac

from pydantic import ValidationError

from providers.flexe.schemas import STATUS_CHANGED, StatusChanged

SIGNATURE_HEADER = "X-Flexe-Signature"
_PREFIX = "sha256="


class InvalidWebhook(Exception):
    """The webhook is unsigned, wrongly signed or not a status-change event."""


def signature(secret: str, body: bytes) -> str:
    """The `X-Flexe-Signature` value for this body: `sha256=<hex HMAC-SHA256>`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"{_PREFIX}{digest}"


def is_authentic(secret: str, body: bytes, header: str | None) -> bool:
    """True when the header carries the body's signature (compared in constant time)."""
    if not header or not header.startswith(_PREFIX):
        return False
    expected = signature(secret, body).encode("ascii")
    return hmac.compare_digest(expected, header.strip().lower().encode("ascii", "replace"))


def parse_status_changed(secret: str, body: bytes, header: str | None) -> StatusChanged:
    """The verified status-change event; InvalidWebhook when the signature or body is wrong."""
    if not is_authentic(secret, body, header):
        raise InvalidWebhook("missing or wrong X-Flexe-Signature")
    try:
        event = StatusChanged.model_validate_json(body)
    except ValidationError as err:
        raise InvalidWebhook(f"unreadable webhook body: {err}") from err
    if event.type != STATUS_CHANGED:
        raise InvalidWebhook(f"unexpected webhook type {event.type!r}")
    return event
