"""The index the backorder release job reads, so its cost follows the work, not the history.

Held lines are indexed twice: by product in first-come-first-served order (order date, then
priority) for release when the product receives supply, and by due time for the SLA
cancellation and preorder launch. The index is written before the order commits its hold and
cleared after the order commits a release; a stale entry is harmless because the job checks
the line on the order itself before acting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class HoldKind(StrEnum):
    """Why the line is held."""

    BACKORDER = "Backorder Hold"
    PREORDER = "Preorder Hold"


@dataclass(frozen=True)
class HeldLine:
    """A held order line as the index knows it."""

    order_id: str
    line_id: str
    product_id: str
    quantity: Decimal
    ordered_at: datetime
    priority: int
    held_at: datetime
    kind: HoldKind
    due_at: datetime  # backorder: cancellation SLA expiry; preorder: launch date


class BackorderIndex(Protocol):
    """Held lines by product (FCFS) and by due time."""

    def add(self, line: HeldLine) -> None:
        """Index the line (idempotent by order and line)."""
        ...

    def held(self, product_id: str, limit: int) -> list[HeldLine]:
        """Lines held for the product, oldest order first, then by priority (1 first)."""
        ...

    def due(self, before: datetime, limit: int) -> list[HeldLine]:
        """Lines whose due time is before the given time, earliest first."""
        ...

    def remove(self, line: HeldLine) -> None:
        """Drop the line from both indexes (missing entries are fine)."""
        ...
