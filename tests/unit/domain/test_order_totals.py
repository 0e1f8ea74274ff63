"""Sales totals: table-driven calculation, rounding per currency, and the staleness basis."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.money import UnknownCurrency
from domain.orders.model import Address, OrderLine, SalesOrder
from domain.orders.states import OrderState
from domain.orders.totals import (
    calculate_totals,
    mark_totals_stale,
    totals_basis,
    totals_current,
)

D = Decimal
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def line(n: int, quantity: str, price: str, **changes: Any) -> OrderLine:
    return OrderLine(
        line_id=f"{n:04d}", line_number=n, product_id=f"P-{n}", quantity=D(quantity),
        unit_price=D(price), **changes,
    )  # fmt: skip


def order(lines: list[OrderLine], currency: str = "USD", **changes: Any) -> SalesOrder:
    return SalesOrder(
        order_id="o-1", channel="web", external_order_id="1", customer_id="C-1",
        currency=currency, ship_to=Address(country="US"), created_at=T0, updated_at=T0,
        lines=lines, **changes,
    )  # fmt: skip


# (case, order, (lines amount, discount, charges, freight, tax, total))
CASES: list[tuple[str, SalesOrder, tuple[str, str, str, str, str, str]]] = [
    (
        "one line",
        order([line(1, "2", "10.00")]),
        ("20.00", "0.00", "0.00", "0.00", "0.00", "20.00"),
    ),
    (
        "discount, charges and tax per line",
        order(
            [
                line(1, "3", "10.00", discount=D("0.01"), charges=D("-0.01"), tax=D("2.40")),
                line(2, "1", "5.50", discount=D("0.50"), tax=D("0.40")),
            ]
        ),
        ("35.50", "0.51", "-0.01", "0.00", "2.80", "37.78"),
    ),
    (
        "a canceled line counts for nothing",
        order(
            [
                line(1, "1", "10.00", tax=D("1.00")),
                line(2, "4", "99.99", tax=D("8.00"), charges=D("2"), state=OrderState.CANCELED),
            ]
        ),
        ("10.00", "0.00", "0.00", "0.00", "1.00", "11.00"),
    ),
    (
        "freight and header tax",
        order([line(1, "1", "100")], freight_amount=D("7.5"), header_tax=D("0.60")),
        ("100.00", "0.00", "0.00", "7.50", "0.60", "108.10"),
    ),
    (
        "components are summed exactly, then rounded once half up",
        order(
            [line(1, "3", "0.335"), line(2, "1", "0.0050", tax=D("0.0025"))], header_tax=D("0.0025")
        ),
        ("1.01", "0.00", "0.00", "0.00", "0.01", "1.02"),
    ),
    (
        "JPY has no minor unit",
        order(
            [line(1, "3", "333.5", discount=D("0.5"), tax=D("100.4"))],
            "JPY",
            freight_amount=D("500"),
            header_tax=D("50.1"),
        ),
        ("1001", "1", "0", "500", "151", "1651"),
    ),
    (
        "KWD has three decimals",
        order([line(1, "2", "1.2345", tax=D("0.2469"))], "KWD", freight_amount=D("0.5")),
        ("2.469", "0.000", "0.000", "0.500", "0.247", "3.216"),
    ),
    (
        "no open line",
        order([line(1, "1", "9", state=OrderState.CANCELED)]),
        ("0.00", "0.00", "0.00", "0.00", "0.00", "0.00"),
    ),
]


@pytest.mark.parametrize(("case", "sales_order", "expected"), CASES, ids=[c[0] for c in CASES])
def test_totals(case: str, sales_order: SalesOrder, expected: tuple[str, ...]) -> None:
    totals = calculate_totals(sales_order, T0)

    got = (totals.lines_amount, totals.discount, totals.charges, totals.freight, totals.tax,
           totals.total)  # fmt: skip
    assert tuple(str(amount) for amount in got) == expected
    assert totals.total == (
        totals.lines_amount - totals.discount + totals.charges + totals.freight + totals.tax
    )
    assert (totals.calculated_at, totals.basis) == (T0, totals_basis(sales_order))


def test_an_unknown_currency_cannot_be_totalled() -> None:
    with pytest.raises(UnknownCurrency):
        calculate_totals(order([line(1, "1", "1")], "XXX"), T0)


def base() -> SalesOrder:
    return order(
        [line(1, "2", "10", discount=D("1"), charges=D("0.5"), tax=D("1.9")), line(2, "1", "3")],
        freight_amount=D("4"), header_tax=D("0.4"),
    )  # fmt: skip


def set_line(field: str, value: Any) -> Any:
    return lambda o: setattr(o.lines[0], field, value)


INPUT_CHANGES = {
    "quantity": set_line("quantity", D("3")),
    "unit price": set_line("unit_price", D("10.01")),
    "discount": set_line("discount", D("2")),
    "charges": set_line("charges", D("0")),
    "tax": set_line("tax", D("2")),
    "freight": lambda o: setattr(o, "freight_amount", D("5")),
    "header tax": lambda o: setattr(o, "header_tax", D("0")),
    "currency": lambda o: setattr(o, "currency", "EUR"),
    "a line canceled": set_line("state", OrderState.CANCELED),
    "a line added": lambda o: o.lines.append(line(3, "1", "1")),
    "a line removed": lambda o: o.lines.pop(),
}

UNRELATED_CHANGES = {
    "ready to sync": lambda o: setattr(o, "ready_to_sync", True),
    "company": lambda o: setattr(o, "company", "USMF"),
    "line warehouse": set_line("shipping_warehouse", "11"),
    "line shipped": set_line("quantity_shipped", D("1")),
    "line state": set_line("state", OrderState.ON_HOLD),
    "revision": lambda o: setattr(o, "revision", 9),
    "same amounts written differently": lambda o: (
        setattr(o.lines[0], "unit_price", D("10.000")),
        setattr(o, "header_tax", D("0.40")),
        setattr(o.lines[1], "charges", D("-0")),
    ),
}


@pytest.mark.parametrize("change", INPUT_CHANGES.values(), ids=INPUT_CHANGES.keys())
def test_the_basis_moves_with_each_input(change: Any) -> None:
    changed = base()
    change(changed)
    assert totals_basis(changed) != totals_basis(base())


@pytest.mark.parametrize("change", UNRELATED_CHANGES.values(), ids=UNRELATED_CHANGES.keys())
def test_the_basis_ignores_what_the_totals_do_not_depend_on(change: Any) -> None:
    changed = base()
    change(changed)
    assert totals_basis(changed) == totals_basis(base())


def calculated() -> SalesOrder:
    sales_order = base()
    sales_order.totals = calculate_totals(sales_order, T0)
    sales_order.totals_calculated = True
    return sales_order


def test_totals_are_current_until_an_input_moves() -> None:
    sales_order = calculated()
    assert totals_current(sales_order)
    assert mark_totals_stale(sales_order) is False
    assert sales_order.totals_calculated

    sales_order.freight_amount = D("6")

    assert not totals_current(sales_order)
    assert mark_totals_stale(sales_order) is True
    assert (sales_order.totals_calculated, sales_order.totals is not None) == (False, True)
    assert mark_totals_stale(sales_order) is False  # already stale: nothing more to clear


def test_totals_never_calculated_are_not_current() -> None:
    sales_order = base()
    assert not totals_current(sales_order)
    assert mark_totals_stale(sales_order) is False
    sales_order.totals = calculate_totals(sales_order, T0)
    assert not totals_current(sales_order)  # calculated but not flagged: not trusted


def test_an_unrelated_change_keeps_the_totals_current() -> None:
    sales_order = calculated()
    sales_order.ready_to_sync = True
    assert mark_totals_stale(sales_order) is False
    assert totals_current(sales_order)
