"""A Dynamics 365 Finance + Operations simulator (Entra ID tokens, OData sales orders, events)."""

from simulators.fno.app import EVENT_SECRET_HEADER, IDEMPOTENCY_HEADER, FnoSimulator
from simulators.fno.changes import CHANGES_SECRET_HEADER

__all__ = ["CHANGES_SECRET_HEADER", "EVENT_SECRET_HEADER", "IDEMPOTENCY_HEADER", "FnoSimulator"]
