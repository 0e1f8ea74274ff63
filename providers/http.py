"""What every provider client shares about HTTP failures: retry delays and their classification."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from services.providers.gateway import (
    PermanentProviderFailure,
    ProviderFailure,
    TransientProviderFailure,
)

# Worth retrying: timeouts, throttling and the server's own failures.
TRANSIENT_STATUSES = frozenset({408, 429})


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP date); None if absent/bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass  # not a number of seconds: maybe an HTTP date
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def is_transient(status: int) -> bool:
    """True for statuses a later retry may get past."""
    return status in TRANSIENT_STATUSES or status >= 500


def failure_for_status(
    message: str, status: int, retry_after: float | None = None
) -> ProviderFailure:
    """The transient (with the provider's delay) or permanent failure a status stands for."""
    if is_transient(status):
        return TransientProviderFailure(message, status=status, retry_after=retry_after)
    return PermanentProviderFailure(message, status=status)
