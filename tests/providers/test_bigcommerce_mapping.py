"""BigCommerce order -> PlaceOrder and our state -> status_id, pure (official sample shapes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.orders.states import OrderState, Reason
from providers.bigcommerce.mapping import storefront_status, to_place_order
from providers.bigcommerce.schemas import Order, OrderProduct, ShippingAddress

BILLING = {
    "first_name": "Jane", "last_name": "Doe", "street_1": "555 East Street", "city": "Austin",
    "state": "Texas", "zip": "78108", "country": "United States", "country_iso2": "US",
    "phone": "1234567890", "email": "janedoe@email.com", "form_fields": [],
}  # fmt: skip


def _order(**changes: Any) -> Order:
    payload = {
        "id": 247, "customer_id": 11, "date_created": "Thu, 20 Jun 2019 16:07:08 +0000",
        "date_shipped": "", "status_id": 11, "status": "Awaiting Fulfillment",
        "subtotal_ex_tax": "924.47", "total_inc_tax": "1008.74", "currency_code": "USD",
        "order_source": "manual", "billing_address": BILLING, "fees": [], **changes,
    }  # fmt: skip
    return Order.model_validate(payload)


def _product(**changes: Any) -> OrderProduct:
    payload = {
        "id": 65, "order_id": 247, "product_id": 77, "order_address_id": 51,
        "name": "Fog Linen Chambray Towel - Beige Stripe", "sku": "S-ORAN", "type": "physical",
        "base_price": "55.9900", "price_ex_tax": "55.9900", "price_inc_tax": "65.2300",
        "price_tax": "9.2400", "total_tax": "9.2400", "quantity": 1, "quantity_shipped": 0,
        "applied_discounts": [{"id": "manual-discount", "amount": "1.5900", "target": "order"}],
        "discounted_total_inc_tax": "63.6400", "product_options": [], **changes,
    }  # fmt: skip
    return OrderProduct.model_validate(payload)


SHIP_TO = ShippingAddress.model_validate(
    {**BILLING, "id": 51, "order_id": 247, "first_name": "John", "zip": "78751",
     "street_2": "", "shipping_method": "Fixed Shipping", "base_cost": "5.0000"}
)  # fmt: skip


def test_the_official_sample_maps_exactly() -> None:
    command = to_place_order(_order(), [_product()], SHIP_TO)

    assert (command.channel, command.external_order_id, command.customer_id) == (
        "bigcommerce", "247", "11",
    )  # fmt: skip
    assert command.ordered_at is not None
    assert command.ordered_at.isoformat() == "2019-06-20T16:07:08+00:00"
    assert command.ship_to.name == "John Doe"
    assert command.ship_to.postal_code == "78751"
    assert command.ship_to.line2 is None
    assert command.bill_to is not None
    assert command.bill_to.name == "Jane Doe"
    (line,) = command.lines
    assert (line.product_id, line.external_line_id) == ("S-ORAN", "65")
    assert line.unit_price == Decimal("55.99")
    assert line.discount == Decimal("1.59")
    assert line.tax == Decimal("9.24")
    assert line.quantity == Decimal(1)


def test_tax_and_discount_are_rounded_to_the_currency_half_up() -> None:
    product = _product(
        total_tax="0.1250", applied_discounts=[{"amount": "0.0050"}, {"amount": "0.0000"}]
    )
    (line,) = to_place_order(_order(), [product], SHIP_TO).lines
    assert (line.tax, line.discount) == (Decimal("0.13"), Decimal("0.01"))


def test_guests_bundled_children_and_lines_without_sku() -> None:
    lines = [
        _product(id=1, sku=""),
        _product(id=2, parent_order_product_id=1, is_bundled_product=True),
        _product(id=3, quantity=0),
    ]
    command = to_place_order(_order(customer_id=0), lines, None)

    assert command.customer_id == "guest:janedoe@email.com"
    assert command.ship_to.name == "Jane Doe"  # no shipping address: the billing address
    assert [(ln.external_line_id, ln.write_in_product) for ln in command.lines] == [
        ("1", "Fog Linen Chambray Towel - Beige Stripe")
    ]


def test_an_order_without_any_address_or_with_an_unknown_currency_is_invalid() -> None:
    with pytest.raises(ValidationError, match="country"):
        to_place_order(_order(billing_address=None), [_product()], None)
    with pytest.raises(ValidationError, match="currency"):
        to_place_order(_order(currency_code="XXX"), [_product()], SHIP_TO)


@pytest.mark.parametrize(
    ("state", "reason", "status_id"),
    [
        (OrderState.FULFILLMENT_IN_PROCESS, Reason.PACKED, 2),
        (OrderState.FULFILLMENT_IN_PROCESS, Reason.PICKED, None),
        (OrderState.COMPLETED, Reason.FULFILLED, 10),
        (OrderState.CANCELED, Reason.CANCELED, 5),
        (OrderState.IN_PROGRESS, Reason.READY_TO_BE_FULFILLED, None),
        (OrderState.ON_HOLD, Reason.BACKORDER_HOLD, None),
    ],
)
def test_storefront_status(state: OrderState, reason: Reason, status_id: int | None) -> None:
    assert storefront_status(state, reason) == status_id
