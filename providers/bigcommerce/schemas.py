"""Tolerant DTOs for BigCommerce Orders V2 payloads: unknown fields are ignored.

Money arrives as strings with 4 decimals ("62.6793") and is held as Decimal; an empty string
reads as zero. Dates arrive as RFC-2822 strings ("Tue, 05 Mar 2019 21:40:11 +0000"); an empty
string reads as None.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _money(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(0)
    return value


def _date(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return value  # let pydantic try ISO-8601
    return value


def _text(value: Any) -> Any:
    return "" if value is None else str(value)


Money = Annotated[Decimal, BeforeValidator(_money)]
Rfc2822 = Annotated[datetime | None, BeforeValidator(_date)]
Text = Annotated[str, BeforeValidator(_text)]


class BcModel(BaseModel):
    """Base for BigCommerce payloads: snake_case as sent, extra fields ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AppliedDiscount(BcModel):
    """A discount applied to an order product (coupon, manual or automatic)."""

    id: Text = ""
    amount: Money = Decimal(0)
    name: Text = ""
    code: Text = ""
    target: Text = ""


class OrderProduct(BcModel):
    """An order line; `id` is the order_product_id that shipments reference."""

    id: int
    order_id: int
    product_id: int = 0
    variant_id: int | None = None
    order_address_id: int | None = None
    name: Text = ""
    sku: Text = ""
    type: Text = "physical"
    base_price: Money = Decimal(0)
    price_ex_tax: Money = Decimal(0)
    price_inc_tax: Money = Decimal(0)
    price_tax: Money = Decimal(0)
    total_ex_tax: Money = Decimal(0)
    total_inc_tax: Money = Decimal(0)
    total_tax: Money = Decimal(0)
    quantity: int
    quantity_shipped: int = 0
    quantity_refunded: int = 0
    parent_order_product_id: int | None = None
    is_bundled_product: bool = False
    applied_discounts: list[AppliedDiscount] = Field(default_factory=list)


class BillingAddress(BcModel):
    """The order's billing address."""

    first_name: Text = ""
    last_name: Text = ""
    company: Text = ""
    street_1: Text = ""
    street_2: Text = ""
    city: Text = ""
    state: Text = ""
    zip: Text = ""
    country: Text = ""
    country_iso2: Text = ""
    phone: Text = ""
    email: Text = ""


class ShippingAddress(BillingAddress):
    """A ship-to address of the order; `id` is the order_address_id shipments reference."""

    id: int
    order_id: int
    items_total: int = 0
    items_shipped: int = 0
    shipping_method: Text = ""


class Order(BcModel):
    """An order header (GET /orders/{id})."""

    id: int
    customer_id: int = 0
    date_created: Rfc2822 = None
    date_modified: Rfc2822 = None
    date_shipped: Rfc2822 = None
    status_id: int
    status: Text = ""
    custom_status: Text = ""
    currency_code: Text = ""
    subtotal_ex_tax: Money = Decimal(0)
    subtotal_inc_tax: Money = Decimal(0)
    total_ex_tax: Money = Decimal(0)
    total_inc_tax: Money = Decimal(0)
    total_tax: Money = Decimal(0)
    discount_amount: Money = Decimal(0)
    items_total: int = 0
    items_shipped: int = 0
    is_tax_inclusive_pricing: bool = False
    order_source: Text = ""
    channel_id: int = 1
    customer_message: Text = ""
    staff_notes: Text = ""
    external_order_id: Text = ""
    billing_address: BillingAddress | None = None


class ShipmentItem(BcModel):
    """One line of a shipment."""

    order_product_id: int
    product_id: int = 0
    quantity: int


class Shipment(BcModel):
    """A shipment of (part of) an order."""

    id: int
    order_id: int
    order_address_id: int
    date_created: Rfc2822 = None
    tracking_number: Text = ""
    shipping_provider: Text = ""
    shipping_method: Text = ""
    comments: Text = ""
    items: list[ShipmentItem] = Field(default_factory=list)


class StatusChange(BcModel):
    """The status change a store/order/statusUpdated callback carries."""

    previous_status_id: int
    new_status_id: int


class WebhookData(BcModel):
    """The light event data: what changed (re-GET the resource for details)."""

    type: Text
    id: int
    order_id: int | None = Field(default=None, alias="orderId")  # shipment events
    status: StatusChange | None = None


class WebhookEnvelope(BcModel):
    """A webhook callback body; `hash` (SHA-1 of the data) is identical for re-fired duplicates."""

    scope: Text
    store_id: Text = ""
    data: WebhookData
    hash: Text = ""
    created_at: int | None = None
    producer: Text = ""
