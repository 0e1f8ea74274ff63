"""One pass of the optimizer as plain data: candidate sources nearest first, stock, lines, limits.

Sources are numbered in the order (distance, priority, source id), so "nearest first" is simply
ascending index and a set of open sources is an int bit mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Need:
    """A line the pass plans: which stock row it draws on and how much is still missing."""

    product: int  # index into Problem.stock
    quantity: Decimal
    prior: int = 0  # mask of sources the line already ships from (earlier passes)
    limit: int | None = None  # how many more sources the line may use; None is unlimited


@dataclass(frozen=True)
class Problem:
    """The pass's sourcing problem, read-only; the search and the assignment share it."""

    distances: tuple[float, ...]
    priorities: tuple[int, ...]
    source_ids: tuple[str, ...]
    # Per product: (source index, sellable quantity) ascending by index, positive quantities only.
    stock: tuple[tuple[tuple[int, Decimal], ...], ...]
    needs: tuple[Need, ...]
    penalty: float = 0.0
    free: int = 0  # sources the order already ships from: reusing them costs no penalty
    order_limit: int | None = None  # distinct sources the whole order may use, `free` included
    slots: tuple[int | None, ...] = ()  # lines each source may still take; None is unlimited

    @property
    def size(self) -> int:
        """Number of candidate sources."""
        return len(self.distances)

    @property
    def candidates(self) -> int:
        """Mask of sources that hold stock of some product the pass plans."""
        mask = 0
        for row in self.stock:
            for source, _ in row:
                mask |= 1 << source
        return mask

    @property
    def separable(self) -> bool:
        """True when no source's daily capacity can bind, so products can be planned apart
        (a product's lines depend only on the sources holding it)."""
        lines = len(self.needs)
        return all(slot is None or slot >= lines for slot in self.slots)

    def slot(self, source: int) -> int | None:
        """Lines the source may still take (None: unlimited)."""
        return self.slots[source] if self.slots else None
