"""The system clock, behind the services' Clock port."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """Reads the real UTC time."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)
