"""Soft reservations for order lines: reserve, release and ship, each retried on conflict.

A reference (e.g. `order|line`) names one reservation for its whole life. Its first request is
claimed globally (so `release` and `ship` find the product from the reference alone, and a
repeat with other details is answered for the first), then the reservation row is written in
the product's partition in the same transaction as the balance it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from domain.inventory.stock import (
    ZERO,
    Movement,
    MovementKind,
    StockBalance,
    apply,
    next_movement_time,
)
from services.errors import ConcurrencyConflict, NotAllowed, NotFound
from services.inventory_ports import (
    InventoryStore,
    OperationKey,
    Reservation,
    ReservationClaim,
    ReservationRequest,
    ReservationResult,
    StockChange,
    SupplyIndex,
    Versioned,
)
from services.ports import Clock, IdGenerator


def make_movement(
    ids: IdGenerator,
    clock: Clock,
    kind: MovementKind,
    balance: StockBalance,
    quantity: Decimal,
    reference: str,
) -> Movement:
    """A new movement of the balance, timed after its last one."""
    at = next_movement_time(balance, clock.now())
    return Movement(
        ids.new_id(), kind, balance.source_id, balance.product_id, quantity, reference, at
    )


def result_of(reservation: Reservation) -> ReservationResult:
    """What a reservation got, as its requester sees it."""
    return ReservationResult(reservation.reference, reservation.reserved, reservation.shortfall)


@dataclass
class Reserving:
    """The reservation use cases over the store; checked input only (Inventory checks it)."""

    store: InventoryStore
    supply: SupplyIndex
    clock: Clock
    ids: IdGenerator
    max_attempts: int

    def reserve(self, request: ReservationRequest, all_or_nothing: bool) -> ReservationResult:
        """Reserve what is available (all or nothing if asked), once per reference."""
        claim, new = self.store.claim(
            ReservationClaim(
                request.reference, request.source_id, request.product_id, request.quantity
            )
        )
        for _ in range(self.max_attempts):
            if not new and (found := self.store.reservation(claim.product_id, claim.reference)):
                return result_of(found.value)
            read = self.store.balance(claim.source_id, claim.product_id)
            take = min(claim.quantity, max(read.value.available, ZERO))
            if all_or_nothing and take < claim.quantity:
                take = ZERO
            balance, movement = None, None
            if take > 0:
                movement = self._movement(MovementKind.RESERVATION, read.value, take, claim)
                balance = Versioned(apply(read.value, movement), read.handle)
            reservation = Reservation(
                claim.reference, claim.source_id, claim.product_id, claim.quantity, take
            )
            change = StockChange(claim.product_id, balance, movement, Versioned(reservation))
            try:
                self.store.commit(change)
            except ConcurrencyConflict:
                new = False  # someone else changed the balance, or reserved this reference
                continue
            return result_of(reservation)
        raise ConcurrencyConflict(f"reservation {request.reference} is too contended")

    def release(self, reference: str) -> Decimal:
        """Give back what the reference holds; 0 when it holds nothing (or never reserved)."""
        claim = self.store.find_claim(reference)
        if claim is None:
            return ZERO
        for _ in range(self.max_attempts):
            found = self.store.reservation(claim.product_id, reference)
            if found is None:
                # Claimed but not yet reserved: leave a spent reservation so a late reserve of
                # this reference (a retried message) reserves nothing.
                spent = Reservation(
                    reference, claim.source_id, claim.product_id, claim.quantity, ZERO
                )
                try:
                    self.store.commit(StockChange(claim.product_id, reservation=Versioned(spent)))
                except ConcurrencyConflict:
                    continue
                return ZERO
            held = found.value.outstanding
            if held <= 0:
                return ZERO
            read = self.store.balance(claim.source_id, claim.product_id)
            movement = self._movement(MovementKind.RELEASE, read.value, -held, claim)
            released = replace(found.value, released=found.value.released + held)
            change = StockChange(
                claim.product_id, Versioned(apply(read.value, movement), read.handle), movement,
                Versioned(released, found.handle),
            )  # fmt: skip
            try:
                self.store.commit(change)
            except ConcurrencyConflict:
                continue
            self.supply.mark_supplied(claim.product_id, movement.at)
            return held
        raise ConcurrencyConflict(f"reservation {reference} is too contended")

    def ship(self, reference: str, quantity: Decimal, shipment_id: str | None) -> Reservation:
        """Ship part of what the reference holds; a repeated shipment id changes nothing."""
        claim = self.store.find_claim(reference)
        if claim is None:
            raise NotFound(f"reference {reference} holds no reservation")
        key = None
        if shipment_id is not None:
            key = OperationKey(MovementKind.SHIPMENT, claim.source_id, shipment_id)
        for _ in range(self.max_attempts):
            found = self.store.reservation(claim.product_id, reference)
            if found is None:
                raise NotFound(f"reference {reference} holds no reservation")
            if key is not None and self.store.applied(claim.product_id, key):
                return found.value
            if quantity > found.value.outstanding:
                message = f"cannot ship {quantity}: {reference} holds {found.value.outstanding}"
                raise NotAllowed(message, "quantity")
            read = self.store.balance(claim.source_id, claim.product_id)
            movement = self._movement(MovementKind.SHIPMENT, read.value, -quantity, claim)
            shipped = replace(found.value, shipped=found.value.shipped + quantity)
            change = StockChange(
                claim.product_id, Versioned(apply(read.value, movement), read.handle), movement,
                Versioned(shipped, found.handle), key,
            )  # fmt: skip
            try:
                self.store.commit(change)
            except ConcurrencyConflict:
                continue  # includes the shipment id recorded meanwhile: the next read answers it
            return shipped
        raise ConcurrencyConflict(f"reservation {reference} is too contended")

    def _movement(
        self, kind: MovementKind, balance: StockBalance, quantity: Decimal, claim: ReservationClaim
    ) -> Movement:
        return make_movement(self.ids, self.clock, kind, balance, quantity, claim.reference)
