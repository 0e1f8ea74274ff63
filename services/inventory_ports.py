"""Ports and records of the inventory use cases: the stock store, the supply index, sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from domain.inventory.sources import FulfillmentSource, SourceList
from domain.inventory.stock import ZERO, Movement, MovementKind, StockBalance

T = TypeVar("T")


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """A record with the store's opaque concurrency handle (its ETag); None: not stored yet."""

    value: T
    handle: object = None


@dataclass(frozen=True)
class ReservationRequest:
    """Reserve `quantity` of a product at a source for `reference` (e.g. `order|line`)."""

    reference: str
    source_id: str
    product_id: str
    quantity: Decimal


@dataclass(frozen=True)
class ReservationResult:
    """What a reservation got: `reserved` now held for the reference, `shortfall` not found."""

    reference: str
    reserved: Decimal
    shortfall: Decimal


@dataclass(frozen=True)
class Reservation:
    """A reference's reservation: asked, got, and what has since shipped or been released."""

    reference: str
    source_id: str
    product_id: str
    requested: Decimal
    reserved: Decimal
    shipped: Decimal = ZERO
    released: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        """Still held: reserved minus shipped minus released."""
        return self.reserved - self.shipped - self.released

    @property
    def shortfall(self) -> Decimal:
        """What could not be reserved when it was asked for."""
        return self.requested - self.reserved


@dataclass(frozen=True)
class ReservationClaim:
    """The first request made with a reference; repeats are answered for this one."""

    reference: str
    source_id: str
    product_id: str
    quantity: Decimal


@dataclass(frozen=True)
class OperationKey:
    """Identifies a receipt, adjustment or shipment so that a repeat is applied only once."""

    kind: MovementKind
    source_id: str
    reference: str


@dataclass(frozen=True)
class StockChange:
    """One atomic write in a product's partition (all or nothing).

    `balance` and `reservation` carry the new values with the handle they were read with:
    a handle makes the write conditional on them being unchanged, None inserts them.
    `operation` records a receipt, adjustment or shipment id so that a repeat fails.
    """

    product_id: str
    balance: Versioned[StockBalance] | None = None
    movement: Movement | None = None
    reservation: Versioned[Reservation] | None = None
    operation: OperationKey | None = None


@dataclass(frozen=True)
class SourceAvailability:
    """One source's stock of a product."""

    source_id: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal


@dataclass(frozen=True)
class ProductAvailability:
    """A product's stock per source and in total (ATP on hand)."""

    product_id: str
    per_source: list[SourceAvailability]
    total_available: Decimal


class InventoryStore(Protocol):
    """Balances, the movement ledger and reservations, one partition per product."""

    def balance(self, source_id: str, product_id: str) -> Versioned[StockBalance]:
        """The balance with its handle; a zero balance with no handle when none is stored."""
        ...

    def balances(self, product_id: str) -> list[StockBalance]:
        """Every stored balance of the product, by source id (one range read)."""
        ...

    def movements(self, product_id: str) -> list[Movement]:
        """The product's ledger, oldest first."""
        ...

    def reservation(self, product_id: str, reference: str) -> Versioned[Reservation] | None:
        """The reference's reservation of the product with its handle, or None."""
        ...

    def claim(self, claim: ReservationClaim) -> tuple[ReservationClaim, bool]:
        """Record the first request with a reference: (the stored claim, whether it is new)."""
        ...

    def find_claim(self, reference: str) -> ReservationClaim | None:
        """The claim of a reference, whatever product it is for; None if never reserved."""
        ...

    def applied(self, product_id: str, key: OperationKey) -> bool:
        """Whether the operation was committed."""
        ...

    def commit(self, change: StockChange) -> None:
        """Write the change in one transaction.

        ConcurrencyConflict when a handle is stale; EntityAlreadyExists when something to be
        inserted exists (a balance or reservation created meanwhile, an operation repeated).
        """
        ...


class SupplyIndex(Protocol):
    """Products that received supply since the backorder release job last looked."""

    def mark_supplied(self, product_id: str, at: datetime) -> None:
        """Note that the product received supply at `at` (idempotent; the latest time wins)."""
        ...

    def supplied_products(self, limit: int) -> list[str]:
        """Up to `limit` marked product ids, by id."""
        ...

    def clear_supplied(self, product_ids: Sequence[str], up_to: datetime | None = None) -> None:
        """Unmark the products; with `up_to`, only marks made at or before it (newer stay)."""
        ...


class SourceRepository(Protocol):
    """Fulfillment sources and source lists."""

    def get(self, source_id: str) -> FulfillmentSource | None:
        """The source, or None."""
        ...

    def add(self, source: FulfillmentSource) -> None:
        """Store a new source (EntityAlreadyExists if the id is taken)."""
        ...

    def save(self, source: FulfillmentSource) -> None:
        """Replace a stored source (ConcurrencyConflict if it no longer exists)."""
        ...

    def delete(self, source_id: str) -> None:
        """Remove the source; a missing one is a no-op."""
        ...

    def get_list(self, name: str) -> SourceList | None:
        """The source list, or None."""
        ...

    def lists(self) -> list[SourceList]:
        """Every source list, by name."""
        ...

    def add_list(self, source_list: SourceList) -> None:
        """Store a new source list (EntityAlreadyExists if the name is taken)."""
        ...

    def save_list(self, source_list: SourceList) -> None:
        """Replace a stored source list (ConcurrencyConflict if it no longer exists)."""
        ...

    def delete_list(self, name: str) -> None:
        """Remove the source list; a missing one is a no-op."""
        ...

    # Last: a method named `list` hides the builtin from the annotations after it.
    def list(self) -> list[FulfillmentSource]:
        """Every source, by id."""
        ...
