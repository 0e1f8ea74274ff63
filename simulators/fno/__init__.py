"""A Dynamics 365 Finance + Operations simulator (Entra ID tokens, OData sales orders, events)."""

from simulators.fno.app import EVENT_SECRET_HEADER, IDEMPOTENCY_HEADER, FnoSimulator

__all__ = ["EVENT_SECRET_HEADER", "IDEMPOTENCY_HEADER", "FnoSimulator"]
