"""BigCommerce order -> PlaceOrder, and our order state -> BigCommerce status_id.

Prices: a line's `unitPrice` is BigCommerce's `price_ex_tax` and its `tax` is the line's
`total_tax`, because the hub's line amount is before tax (quantity x unitPrice - discount);
this holds whether or not the store prices tax-inclusively. The line discount is the sum of
its `applied_discounts`, and discount and tax are rounded to the currency's minor unit with the
hub's rule (BigCommerce sends 4 decimals). Bundled child lines (`parent_order_product_id` set)
are left out: the bundle's parent line carries the product and the price. A line without a
SKU becomes a write-in product named after the line. Guests (`customer_id` 0) are identified
by their billing e-mail. `externalLineId` is the order_product_id that shipments reference.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.money import MINOR_UNITS, round_money
from domain.orders.states import OrderState, Reason
from providers.bigcommerce.schemas import BillingAddress, Order, OrderProduct, ShippingAddress
from services.orders.commands import PlaceOrder

CHANNEL = "bigcommerce"
GUEST = "guest"
SHIPPED = 2
CANCELLED = 5
COMPLETED = 10


def to_place_order(
    order: Order, products: list[OrderProduct], shipping_address: ShippingAddress | None
) -> PlaceOrder:
    """The intake command for an order (ship-to falls back to billing); ValidationError if unfit."""
    currency = order.currency_code.upper()
    ship_from: BillingAddress | None = shipping_address or order.billing_address
    payload: dict[str, Any] = {
        "channel": CHANNEL,
        "externalOrderId": str(order.id),
        "orderNumber": str(order.id),
        "customerId": _customer(order),
        "currency": currency,
        "salesOrigin": order.order_source or None,
        "shipTo": _address(ship_from) if ship_from else {},
        "billTo": _bill_to(order.billing_address),
        "orderedAt": order.date_created,
        "lines": [_line(p, currency) for p in products if _orderable(p)],
    }
    return PlaceOrder.model_validate(payload)


def storefront_status(state: OrderState, reason: str) -> int | None:
    """The status_id that tells the storefront where the order is, or None to leave it alone."""
    if state == OrderState.FULFILLMENT_IN_PROCESS and reason == Reason.PACKED:
        return SHIPPED
    if state == OrderState.COMPLETED:
        return COMPLETED
    if state == OrderState.CANCELED:
        return CANCELLED
    return None


def _customer(order: Order) -> str:
    if order.customer_id > 0:
        return str(order.customer_id)
    email = order.billing_address.email.strip() if order.billing_address else ""
    return f"{GUEST}:{email}" if email else GUEST


def _bill_to(address: BillingAddress | None) -> dict[str, Any] | None:
    if address is None or not address.country_iso2.strip():
        return None
    return _address(address)


def _orderable(product: OrderProduct) -> bool:
    return product.parent_order_product_id is None and product.quantity > 0


def _or_none(value: str) -> str | None:
    value = value.strip()
    return value or None


def _address(address: BillingAddress) -> dict[str, Any]:
    name = f"{address.first_name} {address.last_name}".strip()
    return {
        "name": _or_none(name),
        "line1": _or_none(address.street_1),
        "line2": _or_none(address.street_2),
        "city": _or_none(address.city),
        "stateOrProvince": _or_none(address.state),
        "postalCode": _or_none(address.zip),
        "country": address.country_iso2.strip().upper(),
        "phone": _or_none(address.phone),
        "email": _or_none(address.email),
    }


def _rounded(amount: Decimal, currency: str) -> Decimal:
    # An unknown currency is left for PlaceOrder's validation to name.
    return round_money(amount, currency) if currency in MINOR_UNITS else amount


def _line(product: OrderProduct, currency: str) -> dict[str, Any]:
    discount = sum((d.amount for d in product.applied_discounts), Decimal(0))
    line: dict[str, Any] = {
        "externalLineId": str(product.id),
        "description": _or_none(product.name),
        "quantity": Decimal(product.quantity),
        "unitPrice": product.price_ex_tax,
        "discount": _rounded(discount, currency),
        "tax": _rounded(product.total_tax, currency),
    }
    if product.sku.strip():
        line["productId"] = product.sku.strip()
    else:
        line["writeInProduct"] = product.name.strip() or f"BigCommerce product {product.product_id}"
    return line
