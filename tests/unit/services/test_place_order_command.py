"""Intake validation: every rejected body names the offending field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from services.orders.commands import PlaceOrder, money_problem
from services.orders.intake import new_order, order_id_for
from services.orders.limits import MAX_ORDER_LINES


def body(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "channel": "web",
        "externalOrderId": "A-1",
        "customerId": "C-1",
        "currency": "USD",
        "shipTo": {"country": "US"},
        "lines": [{"productId": "P-1", "quantity": 2, "unitPrice": "19.99"}],
    }
    base.update(overrides)
    return base


def line(**overrides: Any) -> dict[str, Any]:
    return {"productId": "P-1", "quantity": 1, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lines": []}, "lines"),
        ({"currency": "XXX"}, "currency"),
        ({"currency": "usd"}, "currency"),
        ({"channel": ""}, "channel"),
        ({"channel": "web shop"}, "channel"),
        ({"externalOrderId": None}, "externalOrderId"),
        ({"customerId": ""}, "customerId"),
        ({"shipTo": {"country": "USA"}}, "shipTo.country"),
        ({"shipTo": {}}, "shipTo.country"),
        ({"lines": [line(quantity=0)]}, "lines.0.quantity"),
        ({"lines": [line(quantity=-1)]}, "lines.0.quantity"),
        ({"lines": [line(quantity="NaN")]}, "lines.0.quantity"),
        ({"lines": [line(quantity="a lot")]}, "lines.0.quantity"),
        ({"lines": [line(unitPrice=-1)]}, "lines.0.unitPrice"),
        ({"lines": [line(), line(productId=None)]}, "lines.1"),
        ({"lines": [line(writeInProduct="Gift wrap")]}, "lines.0"),
        ({"lines": [line(unitPrice=1, discount=5)]}, "lines.0"),
        ({"lines": [line(charges="NaN")]}, "lines.0.charges"),
        ({"lines": [line(charges="1e20")]}, "lines.0.charges"),
        ({"orderType": "Rental"}, "orderType"),
        ({"expectedLineCount": 0}, "expectedLineCount"),
        ({"orderedAt": "2026-11-23T10:00:00"}, "orderedAt"),
        ({"colour": "red"}, "colour"),
        ({"lines": [line(quantity=1)] * (MAX_ORDER_LINES + 1)}, "lines"),
    ],
)
def test_a_bad_order_names_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PlaceOrder.model_validate(body(**overrides))
    fields = {".".join(str(p) for p in e["loc"]) for e in caught.value.errors(include_url=False)}
    assert field in fields


def test_money_is_exact_and_accepts_strings_and_numbers() -> None:
    command = PlaceOrder.model_validate(body(lines=[line(unitPrice="19.99"), line(unitPrice=0.1)]))
    assert [li.unit_price for li in command.lines] == [Decimal("19.99"), Decimal("0.1")]


def test_a_discount_finer_than_the_currency_is_refused_with_its_field() -> None:
    command = PlaceOrder.model_validate(
        body(currency="JPY", lines=[line(unitPrice=1000, discount="0.5")])
    )
    assert money_problem(command) == ("lines.0.discount", "more decimals than JPY allows")


def test_line_charges_may_be_negative_and_reach_the_order_line() -> None:
    command = PlaceOrder.model_validate(body(lines=[line(unitPrice=10, charges="-0.01")]))
    [order_line] = new_order(command, "o-1", datetime(2026, 5, 1, tzinfo=UTC)).lines
    assert order_line.charges == Decimal("-0.01")  # a discount's rounding remainder (F&O)
    assert money_problem(command) is None


def test_charges_finer_than_the_currency_are_refused_with_their_field() -> None:
    command = PlaceOrder.model_validate(body(currency="JPY", lines=[line(charges="-0.5")]))
    assert money_problem(command) == ("lines.0.charges", "more decimals than JPY allows")


def test_the_order_id_depends_only_on_channel_and_external_id() -> None:
    assert order_id_for("web", "A-1") == order_id_for("WEB", "A-1")
    assert order_id_for("web", "A-1") != order_id_for("web", "A-2")
    assert order_id_for("web", "A-1") != order_id_for("pos", "A-1")
