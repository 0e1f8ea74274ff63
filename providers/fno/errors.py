"""F&O and Entra ID failures as the gateway port classifies them: transient or permanent."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from services.providers.gateway import (
    PermanentProviderFailure,
    ProviderFailure,
    TransientProviderFailure,
)

_TRANSIENT_STATUSES = frozenset({408, 429})


def failure_for_response(what: str, response: httpx.Response) -> ProviderFailure:
    """429, 408 and 5xx are transient (with the Retry-After delay); other statuses permanent."""
    status = response.status_code
    message = f"{what} failed: HTTP {status} {_error_text(response)}"
    if status in _TRANSIENT_STATUSES or status >= 500:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return TransientProviderFailure(message, status=status, retry_after=retry_after)
    return PermanentProviderFailure(message, status=status)


def failure_for_transport(what: str, error: httpx.TransportError) -> TransientProviderFailure:
    """Timeouts and connection failures may succeed later."""
    return TransientProviderFailure(f"{what} failed: {type(error).__name__}: {error}")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header (delta seconds or HTTP date) in seconds; None when absent or bad."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message", ""))[:200]
        if isinstance(error, str):
            return f"{error}: {body.get('error_description', '')}"[:200]
    return str(body)[:200]
