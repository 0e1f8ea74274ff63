"""The port every external system's client implements, and how it reports failures.

A gateway performs named actions (send order to fulfillment, send lines to billing, update the
storefront, ...) for an order. Every call carries an idempotency key derived from (order, step,
attempt), which the client sends on the wire so the provider never creates a second document
for a retried call. Clients classify failures: transient ones (429, 503, other 5xx, timeouts)
may succeed later, with the provider's requested delay when it gave one (`Retry-After`,
`X-Rate-Limit-Time-Reset-Ms`); permanent ones (401, 4xx, validation) will not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from domain.orders.model import SalesOrder


class ProviderFailure(Exception):
    """A provider call failed; `transient` says whether retrying may help."""

    transient: bool = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientProviderFailure(ProviderFailure):
    """Worth retrying: throttled, unavailable, timed out. `retry_after` is in seconds."""

    transient = True

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class PermanentProviderFailure(ProviderFailure):
    """Retrying will not help until someone fixes the data or the configuration."""


@dataclass(frozen=True)
class GatewayResult:
    """What the provider did: a readable detail and the documents it created or touched."""

    details: str
    external_ids: Mapping[str, str] = field(default_factory=dict)


class ProviderGateway(Protocol):
    """One external system's client, as the action protocol sees it."""

    def actions(self) -> frozenset[str]:
        """The action names this provider offers (e.g. "Send to Fulfillment")."""
        ...

    def perform(
        self,
        action: str,
        order: SalesOrder,
        idempotency_key: str,
        parameters: Mapping[str, str],
    ) -> GatewayResult:
        """Perform the action; raise ProviderFailure (transient or permanent) when it fails."""
        ...
