"""Ports the services depend on; adapters implement them, tests fake them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time (UTC); services never read the system clock themselves."""

    def now(self) -> datetime:
        """The current UTC time, timezone-aware."""
        ...


class MessagePublisher(Protocol):
    """Sends a message body to a named Storage Queue (base64-encoded on the wire)."""

    def publish(self, queue: str, body: str, delay_seconds: int = 0) -> None:
        """Send one message, invisible for `delay_seconds`; StorageUnavailable if unreachable."""
        ...


class IdGenerator(Protocol):
    """Makes new unique ids (services never draw random numbers themselves)."""

    def new_id(self) -> str:
        """A new, unique, URL-safe id."""
        ...
