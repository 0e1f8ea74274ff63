"""What every provider client shares: its connection pool's lifetime, retry delays, failures."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Self

import httpx

from services.providers.gateway import (
    PermanentProviderFailure,
    ProviderFailure,
    TransientProviderFailure,
)


class PooledClient:
    """A client over one httpx connection pool (`self._http`), closed by `close` or `with`."""

    _http: httpx.Client

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


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
