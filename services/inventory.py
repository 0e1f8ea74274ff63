"""Inventory use cases: stock levels, receipts, reservations, availability (IOM I1-I4).

Every change reads a balance, applies the domain rules and commits the new balance, its ledger
movement and its idempotency record in one transaction conditional on the balance as read. A
concurrent writer makes the commit fail (ConcurrencyConflict) and the change is re-read and
retried, so concurrent workers never oversell. Each change is idempotent by its reference:
a repeat answers as the first call did and changes nothing.

IOM mapping (I4): OnHandQuery -> availability, OnHandDelta -> adjust_stock / set_stock,
OnHandAllocate -> reserve, OnHandUnallocate -> release, OnHandConsume -> ship; "Inventory
Update on Receipt" -> receive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.inventory.ledger import BalanceKey, rebuild
from domain.inventory.stock import (
    ZERO,
    InvalidStockInput,
    Movement,
    MovementKind,
    StockBalance,
    StockRuleViolation,
    apply,
    check_id,
    check_quantity,
)
from services.errors import (
    ConcurrencyConflict,
    EntityAlreadyExists,
    InvalidInput,
    NotAllowed,
    NotFound,
)
from services.inventory_ports import (
    InventoryStore,
    OperationKey,
    ProductAvailability,
    Reservation,
    ReservationRequest,
    ReservationResult,
    SourceAvailability,
    SourceRepository,
    StockChange,
    SupplyIndex,
    Versioned,
)
from services.ports import Clock, IdGenerator
from services.reservations import Reserving, make_movement

__all__ = [
    "Inventory",
    "InventoryStore",
    "ProductAvailability",
    "Reservation",
    "ReservationRequest",
    "ReservationResult",
    "SourceAvailability",
    "SourceRepository",
    "SupplyIndex",
]

MAX_ATTEMPTS = 50  # each conflict means another writer committed, so retries always progress


@contextmanager
def checked_input(prefix: str = "") -> Iterator[None]:
    """Turn the domain's input errors into InvalidInput naming the field (under `prefix`)."""
    try:
        yield
    except InvalidStockInput as err:
        raise InvalidInput(str(err), f"{prefix}{err.field}" if err.field else None) from err


@dataclass
class Inventory:
    """Stock of products at fulfillment sources, as order orchestration and operators use it."""

    store: InventoryStore
    supply: SupplyIndex
    sources: SourceRepository
    clock: Clock
    ids: IdGenerator
    max_attempts: int = MAX_ATTEMPTS

    # Stock levels

    def set_stock(
        self, source_id: str, product_id: str, on_hand: Decimal, reference: str | None = None
    ) -> StockBalance:
        """Make on hand `on_hand` (an adjustment by the difference); NotAllowed below reserved."""
        with checked_input():
            check_quantity(on_hand, "onHand", zero=True)
        return self._change_on_hand(
            source_id, product_id, MovementKind.ADJUSTMENT, lambda b: on_hand - b.on_hand,
            reference, "onHand",
        )  # fmt: skip

    def adjust_stock(
        self, source_id: str, product_id: str, delta: Decimal, reference: str | None = None
    ) -> StockBalance:
        """Change on hand by `delta` (either sign); NotAllowed if it would fall below reserved."""
        with checked_input():
            check_quantity(delta, "adjustBy", zero=True, negative=True)
        return self._change_on_hand(
            source_id, product_id, MovementKind.ADJUSTMENT, lambda _: delta, reference, "adjustBy"
        )

    def receive(
        self, source_id: str, product_id: str, quantity: Decimal, reference: str
    ) -> StockBalance:
        """Goods received: on hand grows by `quantity`, once per (source, product, reference)."""
        with checked_input():
            check_quantity(quantity)
        return self._change_on_hand(
            source_id, product_id, MovementKind.RECEIPT, lambda _: quantity, reference, "quantity"
        )

    # Reservations

    def reserve(
        self, requests: Sequence[ReservationRequest], all_or_nothing: bool = False
    ) -> list[ReservationResult]:
        """Reserve each request, in order; what is missing comes back as its shortfall.

        Partial by default: a request gets what is available. With `all_or_nothing`, a request
        that cannot get its whole quantity reserves nothing (shortfall = quantity). A reference
        seen before answers its first result and reserves nothing more, even after a release.
        """
        for index, request in enumerate(requests):
            with checked_input(f"reservations.{index}."):
                check_id(request.reference, "reference")
                check_id(request.source_id, "sourceId")
                check_id(request.product_id, "productId")
                check_quantity(request.quantity)
        return [self._reserving().reserve(r, all_or_nothing) for r in requests]

    def release(self, reference: str) -> Decimal:
        """Give back what the reference still holds; the quantity released (0 on a repeat)."""
        with checked_input():
            check_id(reference, "reference")
        return self._reserving().release(reference)

    def ship(
        self, reference: str, quantity: Decimal, shipment_id: str | None = None
    ) -> Reservation:
        """Take shipped goods out of on hand and out of the reference's reservation.

        With `shipment_id` a repeat is recognised and changes nothing; NotAllowed when more is
        shipped than the reference still holds; NotFound when it holds no reservation.
        """
        with checked_input():
            check_id(reference, "reference")
            check_quantity(quantity)
            if shipment_id is not None:
                check_id(shipment_id, "shipmentId")
        return self._reserving().ship(reference, quantity, shipment_id)

    def reservation(self, reference: str) -> Reservation | None:
        """The reference's reservation, or None."""
        claim = self.store.find_claim(reference)
        found = None if claim is None else self.store.reservation(claim.product_id, reference)
        return None if found is None else found.value

    # Queries

    def availability(self, product_id: str) -> ProductAvailability:
        """The product's on hand, reserved and available per source, and in total."""
        with checked_input():
            check_id(product_id, "productId")
        per_source = [
            SourceAvailability(b.source_id, b.on_hand, b.reserved, max(b.available, ZERO))
            for b in self.store.balances(product_id)
        ]
        total = sum((s.available for s in per_source), ZERO)
        return ProductAvailability(product_id, per_source, total)

    def availability_map(
        self,
        product_ids: Sequence[str],
        source_ids: Sequence[str],
        *,
        net_of_safety_stock: bool = False,
    ) -> dict[tuple[str, str], Decimal]:
        """Available quantity for every (source id, product id) asked for (0 without stock).

        One range read per product. With `net_of_safety_stock`, each source's safety stock is
        kept back (floored at 0), as sourcing should see it.
        """
        kept = dict.fromkeys(source_ids, ZERO)
        if net_of_safety_stock:
            for source_id in kept:
                source = self.sources.get(source_id)
                kept[source_id] = ZERO if source is None else source.safety_stock
        found: dict[tuple[str, str], Decimal] = {}
        for product_id in dict.fromkeys(product_ids):
            stocked = {b.source_id: b.available for b in self.store.balances(product_id)}
            for source_id, safety in kept.items():
                available = stocked.get(source_id, ZERO) - safety
                found[(source_id, product_id)] = max(available, ZERO)
        return found

    def movements(self, product_id: str) -> list[Movement]:
        """The product's ledger, oldest first."""
        return self.store.movements(product_id)

    def rebuilt_balances(self, product_id: str) -> dict[BalanceKey, StockBalance]:
        """The product's balances as its ledger adds them up (an audit of the stored ones)."""
        return rebuild(self.store.movements(product_id))

    # Supply index for the backorder release job

    def supplied_products(self, limit: int) -> list[str]:
        """Up to `limit` products that received supply (receipts, increases, releases)."""
        return self.supply.supplied_products(limit)

    def clear_supplied(self, product_ids: Sequence[str], up_to: datetime | None = None) -> None:
        """Unmark products once handled; with `up_to`, supply marked later stays marked."""
        self.supply.clear_supplied(product_ids, up_to)

    # Internals

    def _reserving(self) -> Reserving:
        return Reserving(self.store, self.supply, self.clock, self.ids, self.max_attempts)

    def _change_on_hand(
        self,
        source_id: str,
        product_id: str,
        kind: MovementKind,
        delta_of: Callable[[StockBalance], Decimal],
        reference: str | None,
        field: str,
    ) -> StockBalance:
        with checked_input():
            check_id(source_id, "sourceId")
            check_id(product_id, "productId")
            if reference is not None:
                check_id(reference, "reference")
        if self.sources.get(source_id) is None:
            raise NotFound(f"source {source_id} does not exist")
        key = OperationKey(kind, source_id, reference or self.ids.new_id())
        for _ in range(self.max_attempts):
            read = self.store.balance(source_id, product_id)
            delta = delta_of(read.value)
            movement, after = None, read.value
            if delta != 0:
                movement = make_movement(
                    self.ids, self.clock, kind, read.value, delta, key.reference
                )
                try:
                    after = apply(read.value, movement)
                except StockRuleViolation as err:
                    raise NotAllowed(str(err), field) from err
                except InvalidStockInput as err:  # a difference beyond 15 digits
                    raise InvalidInput(str(err), field) from err
            written = None if after is read.value and read.handle is not None else after
            change = StockChange(
                product_id, None if written is None else Versioned(written, read.handle),
                movement, operation=key,
            )  # fmt: skip
            try:
                self.store.commit(change)
            except EntityAlreadyExists:
                if not self.store.applied(product_id, key):
                    continue  # the balance was created meanwhile
                # A repeat, perhaps after a crash before the mark: mark again (harmless).
                self.supply.mark_supplied(product_id, self.clock.now())
                return self.store.balance(source_id, product_id).value
            except ConcurrencyConflict:
                continue
            if movement is not None and delta > 0:
                self.supply.mark_supplied(product_id, movement.at)
            return after
        raise ConcurrencyConflict(f"stock of {product_id} at {source_id} is too contended")
