from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import DomainError, NotPermitted
from domain.inventory.ledger import ledger_order, rebuild
from domain.inventory.stock import (
    InsufficientStock,
    InvalidStockInput,
    Movement,
    MovementKind,
    StockBalance,
    StockRuleViolation,
    apply,
    check_id,
    check_quantity,
    next_movement_time,
)

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
D = Decimal
R, A, V, L, S = (
    MovementKind.RECEIPT, MovementKind.ADJUSTMENT, MovementKind.RESERVATION,
    MovementKind.RELEASE, MovementKind.SHIPMENT,
)  # fmt: skip


def balance(on_hand="10", reserved="4", source="WH1", product="P1"):
    return StockBalance(source, product, D(on_hand), D(reserved))


def movement(kind, quantity, *, at=T0, source="WH1", product="P1", movement_id="m1"):
    return Movement(movement_id, kind, source, product, D(quantity), "ref", at)


# (kind, quantity, on hand after, reserved after) from on hand 10, reserved 4.
ALLOWED = [
    (R, "5", "15", "4"),
    (R, "0.000001", "10.000001", "4"),
    (A, "-6", "4", "4"),
    (A, "3.5", "13.5", "4"),
    (A, "0", "10", "4"),
    (V, "6", "10", "10"),
    (V, "0.25", "10", "4.25"),
    (L, "-4", "10", "0"),
    (L, "-1", "10", "3"),
    (S, "-4", "6", "0"),
    (S, "-2.5", "7.5", "1.5"),
]


@pytest.mark.parametrize(("kind", "quantity", "on_hand", "reserved"), ALLOWED)
def test_allowed_movements_change_the_measures_their_kind_touches(
    kind, quantity, on_hand, reserved
):
    after = apply(balance(), movement(kind, quantity))

    assert (after.on_hand, after.reserved) == (D(on_hand), D(reserved))
    assert after.available == D(on_hand) - D(reserved)
    assert after.is_valid
    assert after.updated_at == T0


# (kind, quantity, error, field): from on hand 10, reserved 4 (available 6).
REFUSED = [
    (V, "6.000001", InsufficientStock, "quantity"),
    (V, "7", InsufficientStock, "quantity"),
    (L, "-4.5", StockRuleViolation, "quantity"),
    (S, "-5", StockRuleViolation, "quantity"),
    (A, "-6.5", StockRuleViolation, "quantity"),
    (A, "-11", StockRuleViolation, "quantity"),
    (R, "-1", InvalidStockInput, "quantity"),
    (R, "0", InvalidStockInput, "quantity"),
    (V, "-1", InvalidStockInput, "quantity"),
    (V, "0", InvalidStockInput, "quantity"),
    (L, "1", InvalidStockInput, "quantity"),
    (S, "2", InvalidStockInput, "quantity"),
    (R, "0.0000001", InvalidStockInput, "quantity"),
    (R, "1000000000000000", InvalidStockInput, "quantity"),
    (R, "NaN", InvalidStockInput, "quantity"),
    (A, "Infinity", InvalidStockInput, "quantity"),
]


@pytest.mark.parametrize(("kind", "quantity", "error", "field"), REFUSED)
def test_movements_that_break_a_rule_are_refused(kind, quantity, error, field):
    with pytest.raises(error) as raised:
        apply(balance(), movement(kind, quantity))

    assert isinstance(raised.value, DomainError)
    assert raised.value.field == field


def test_insufficient_stock_says_what_was_asked_and_what_is_available():
    with pytest.raises(InsufficientStock) as raised:
        apply(balance(), movement(V, "9"))

    assert (raised.value.requested, raised.value.available) == (D(9), D(6))
    assert isinstance(raised.value, NotPermitted)
    assert "9 requested but only 6 available" in str(raised.value)


def test_a_movement_for_another_balance_is_refused():
    with pytest.raises(InvalidStockInput):
        apply(balance(), movement(R, "1", source="WH2"))


def test_a_movement_no_later_than_the_last_one_is_refused():
    stocked = apply(balance(), movement(R, "1"))

    with pytest.raises(InvalidStockInput) as raised:
        apply(stocked, movement(R, "1", at=T0))
    assert raised.value.field == "at"


@pytest.mark.parametrize(
    ("now", "expected"),
    [(T0 + timedelta(seconds=1), T0 + timedelta(seconds=1)),
     (T0, T0 + timedelta(microseconds=1)),
     (T0 - timedelta(hours=1), T0 + timedelta(microseconds=1))],
)  # fmt: skip
def test_movement_times_only_go_forward_whatever_the_clock_says(now, expected):
    last = StockBalance("WH1", "P1", D(1), D(0), updated_at=T0)

    assert next_movement_time(last, now) == expected
    assert next_movement_time(StockBalance("WH1", "P1"), now) == now


@pytest.mark.parametrize(
    ("value", "kwargs", "ok"),
    [("1", {}, True), ("0", {}, False), ("0", {"zero": True}, True), ("-1", {"zero": True}, False),
     ("-1", {"negative": True}, True), ("1.000000", {}, True), ("1.0000001", {}, False),
     ("1E+3", {}, True), ("999999999999999", {}, True), ("1E+15", {}, False),
     ("sNaN", {}, False), ("-Infinity", {"negative": True}, False)],
)  # fmt: skip
def test_quantities_are_finite_with_six_places_and_fifteen_digits(value, kwargs, ok):
    if ok:
        assert check_quantity(D(value), "onHand", **kwargs) == D(value)
    else:
        with pytest.raises(InvalidStockInput) as raised:
            check_quantity(D(value), "onHand", **kwargs)
        assert raised.value.field == "onHand"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("P-1", True),
        ("", False),
        ("x" * 100, True),
        ("x" * 101, False),
        ("a\nb", False),
        ("a|b/c", True),
    ],
)
def test_ids_are_one_to_a_hundred_printable_characters(value, ok):
    if ok:
        assert check_id(value, "productId") == value
    else:
        with pytest.raises(InvalidStockInput):
            check_id(value, "productId")


# Rebuilding from the ledger


def ledger():
    at = [T0 + timedelta(seconds=s) for s in range(8)]
    return [
        movement(R, "10", at=at[0], movement_id="a"),
        movement(R, "3", at=at[0], source="WH2", movement_id="b"),
        movement(V, "4", at=at[1], movement_id="c"),
        movement(V, "3", at=at[2], source="WH2", movement_id="d"),
        movement(S, "-2", at=at[3], movement_id="e"),
        movement(L, "-1", at=at[4], movement_id="f"),
        movement(A, "-5", at=at[5], movement_id="g"),
        movement(R, "1", at=at[6], product="P2", movement_id="h"),
    ]


def test_rebuild_adds_the_ledger_up_per_balance():
    rebuilt = rebuild(ledger())

    assert set(rebuilt) == {("WH1", "P1"), ("WH2", "P1"), ("WH1", "P2")}
    assert (rebuilt["WH1", "P1"].on_hand, rebuilt["WH1", "P1"].reserved) == (D(3), D(1))
    assert (rebuilt["WH2", "P1"].on_hand, rebuilt["WH2", "P1"].reserved) == (D(3), D(3))
    assert rebuilt["WH1", "P1"].updated_at == T0 + timedelta(seconds=5)
    assert rebuilt["WH1", "P2"].on_hand == D(1)


def test_rebuild_replays_in_commit_order_whatever_order_it_is_given():
    assert rebuild(reversed(ledger())) == rebuild(ledger())
    assert [m.movement_id for m in ledger_order(reversed(ledger()))] == list("abcdefgh")


def test_rebuild_equals_applying_each_movement_as_it_happened():
    current = StockBalance("WH1", "P1")
    for m in ledger():
        if (m.source_id, m.product_id) == ("WH1", "P1"):
            current = apply(current, m)

    assert rebuild(ledger())["WH1", "P1"] == current


def test_a_ledger_that_breaks_a_rule_does_not_rebuild():
    with pytest.raises(InsufficientStock):
        rebuild([movement(R, "1", movement_id="a"),
                 movement(V, "2", at=T0 + timedelta(seconds=1), movement_id="b")])  # fmt: skip
