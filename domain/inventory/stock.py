"""Stock balances per (source, product) and the movements that change them (IOM I1-I4).

A balance holds two measures: `on_hand` (physically there) and `reserved` (soft reservations for
order lines, IOM's softreservation). `available` (ATP on hand) is on_hand - reserved. A valid
balance has 0 <= reserved <= on_hand, so available is never negative: nothing is oversold.

Movements are the append-only ledger. `quantity` is the signed change the kind makes:
- RECEIPT: > 0, adds to on hand (goods received);
- ADJUSTMENT: any sign, changes on hand (a count, a write-off, an ERP overwrite as a delta);
- RESERVATION: > 0, adds to reserved; needs that much available (else InsufficientStock);
- RELEASE: < 0, takes back part of what is reserved;
- SHIPMENT: < 0, takes the goods out of both on hand and reserved (they shipped reserved).
Every measure is a sum of movements, so balances can always be rebuilt from the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.errors import DomainError, NotPermitted

ZERO = Decimal(0)
QUANTITY_PLACES = 6  # at most six decimal places (grams of a kilogram, millilitres of a litre)
QUANTITY_DIGITS = 15  # at most 15 significant digits, so no JSON float loses precision
MAX_ID_CHARS = 100  # product ids and references; keys built from them stay within the limits
_TICK = timedelta(microseconds=1)


class MovementKind(StrEnum):
    """What a ledger movement records."""

    RECEIPT = "Receipt"
    ADJUSTMENT = "Adjustment"
    RESERVATION = "Reservation"
    RELEASE = "Release"
    SHIPMENT = "Shipment"


class InvalidStockInput(DomainError):
    """A quantity, id or reference that no stock operation accepts; `field` names it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StockRuleViolation(NotPermitted):
    """A movement the balance cannot take (more released or shipped than reserved, ...)."""


class InsufficientStock(StockRuleViolation):
    """A reservation for more than is available."""

    def __init__(self, requested: Decimal, available: Decimal) -> None:
        super().__init__(f"{requested} requested but only {available} available", "quantity")
        self.requested = requested
        self.available = available


@dataclass(frozen=True)
class StockBalance:
    """On hand and reserved of one product at one source, as of its last movement."""

    source_id: str
    product_id: str
    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    updated_at: datetime | None = None  # the time of the last movement applied

    @property
    def available(self) -> Decimal:
        """What can still be reserved (ATP on hand): on hand minus reserved."""
        return self.on_hand - self.reserved

    @property
    def is_valid(self) -> bool:
        """Whether 0 <= reserved <= on hand."""
        return ZERO <= self.reserved <= self.on_hand


@dataclass(frozen=True)
class Movement:
    """One ledger entry: a signed change of a balance, why (reference) and when."""

    movement_id: str
    kind: MovementKind
    source_id: str
    product_id: str
    quantity: Decimal
    reference: str
    at: datetime


def check_quantity(
    value: Decimal, field: str = "quantity", *, zero: bool = False, negative: bool = False
) -> Decimal:
    """The value if it is a finite quantity of at most 6 places and 15 digits, > 0 by default."""
    if not value.is_finite():
        raise InvalidStockInput(f"{field} must be a finite number", field)
    if value == 0 and not zero:
        raise InvalidStockInput(f"{field} must not be 0", field)
    if value < 0 and not negative:
        raise InvalidStockInput(f"{field} must not be negative", field)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_PLACES:
        raise InvalidStockInput(f"{field} has more than {QUANTITY_PLACES} decimal places", field)
    if value != 0 and value.adjusted() >= QUANTITY_DIGITS:
        raise InvalidStockInput(f"{field} has more than {QUANTITY_DIGITS} digits", field)
    return value


def check_id(value: str, field: str) -> str:
    """The value if it is a usable product id, source id or reference (1-100 printable chars)."""
    if not value or len(value) > MAX_ID_CHARS:
        raise InvalidStockInput(f"{field} must have 1 to {MAX_ID_CHARS} characters", field)
    if not value.isprintable():
        raise InvalidStockInput(f"{field} must not contain control characters", field)
    return value


def next_movement_time(balance: StockBalance, now: datetime) -> datetime:
    """`now`, or just after the balance's last movement when clocks disagree.

    Movements of one balance are committed one at a time (each conditional on the balance),
    so strictly increasing times make ledger order the commit order, whatever the clocks say.
    """
    if balance.updated_at is not None and now <= balance.updated_at:
        return balance.updated_at + _TICK
    return now


def apply(balance: StockBalance, movement: Movement) -> StockBalance:
    """The balance after the movement; StockRuleViolation if the rules forbid it."""
    if (movement.source_id, movement.product_id) != (balance.source_id, balance.product_id):
        raise InvalidStockInput("the movement is for another balance", "sourceId")
    if balance.updated_at is not None and movement.at <= balance.updated_at:
        raise InvalidStockInput("a movement must be later than the balance's last one", "at")
    on_hand, reserved = _changes(movement.kind, movement.quantity)
    after = replace(
        balance,
        on_hand=balance.on_hand + on_hand,
        reserved=balance.reserved + reserved,
        updated_at=movement.at,
    )
    _check_rules(balance, after, movement)
    return after


def _changes(kind: MovementKind, quantity: Decimal) -> tuple[Decimal, Decimal]:
    """(change of on hand, change of reserved) of a movement, after checking its sign."""
    if kind is MovementKind.ADJUSTMENT:
        check_quantity(quantity, zero=True, negative=True)
        return quantity, ZERO
    outgoing = kind in (MovementKind.RELEASE, MovementKind.SHIPMENT)
    check_quantity(quantity, zero=False, negative=True)
    if (quantity < 0) != outgoing:
        sign = "negative" if outgoing else "positive"
        raise InvalidStockInput(f"a {kind.value} quantity must be {sign}", "quantity")
    if kind is MovementKind.RECEIPT:
        return quantity, ZERO
    if kind is MovementKind.SHIPMENT:
        return quantity, quantity
    return ZERO, quantity  # a reservation adds to reserved, a release takes from it


def _check_rules(before: StockBalance, after: StockBalance, movement: Movement) -> None:
    size = abs(movement.quantity)
    if movement.kind is MovementKind.RESERVATION and size > before.available:
        raise InsufficientStock(size, before.available)
    if movement.kind in (MovementKind.RELEASE, MovementKind.SHIPMENT) and size > before.reserved:
        verb = "release" if movement.kind is MovementKind.RELEASE else "ship"
        message = f"cannot {verb} {size}: only {before.reserved} is reserved"
        raise StockRuleViolation(message, "quantity")
    if after.on_hand < after.reserved:
        message = f"on hand would be {after.on_hand}, below the {after.reserved} reserved"
        raise StockRuleViolation(message, "quantity")
