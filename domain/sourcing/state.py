"""What the plan holds so far across passes and strategies: allocations, consumed stock, reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from domain.sourcing.model import PlanningLine


@dataclass
class LineState:
    """One line while it is planned: its allocations so far and the reasons gathered."""

    line: PlanningLine
    takes: dict[str, Decimal] = field(default_factory=dict)  # source id -> quantity
    reasons: list[str] = field(default_factory=list)
    invalid: bool = False  # cannot be planned at all (quantity not positive)
    blind: bool = False  # last pass had no source only because the ship-to is unknown
    saw_stock: bool = False  # some eligible source held its product in the last pass
    held_back: bool = False  # left unsourced because partial orders are not allowed

    @property
    def filled(self) -> Decimal:
        """Units allocated so far."""
        return sum(self.takes.values(), Decimal(0))

    @property
    def unfilled(self) -> Decimal:
        """Units still missing (never negative)."""
        return max(Decimal(0), self.line.quantity - self.filled)

    def note(self, reason: str) -> None:
        """Record a reason once, in the order it arose."""
        if reason not in self.reasons:
            self.reasons.append(reason)


@dataclass
class PlanState:
    """The plan under construction; passes only add to it."""

    lines: list[LineState]
    consumed: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def pending(self) -> list[LineState]:
        """Plannable lines not yet fully sourced."""
        return [s for s in self.lines if not s.invalid and s.unfilled > 0]

    def sources_used(self) -> set[str]:
        """Sources the order ships from so far."""
        return {source for s in self.lines for source in s.takes}

    def lines_at(self) -> dict[str, int]:
        """How many of the order's lines each source ships so far (for daily capacity)."""
        counts: dict[str, int] = {}
        for s in self.lines:
            for source in s.takes:
                counts[source] = counts.get(source, 0) + 1
        return counts

    def take(self, line: LineState, source_id: str, quantity: Decimal) -> None:
        """Allocate units of a line to a source and consume the source's stock."""
        line.takes[source_id] = line.takes.get(source_id, Decimal(0)) + quantity
        product = line.line.product_id
        if product is not None:
            key = (source_id, product)
            self.consumed[key] = self.consumed.get(key, Decimal(0)) + quantity
