"""Commands the order use cases accept, validated at the edge (pydantic; camelCase on the wire).

Validation errors name the field as a dotted path (`lines.0.quantity`), which the HTTP layer
returns as a 400. Money arrives as JSON numbers or strings ("19.99", as BigCommerce sends it)
and is held as Decimal; at most 15 significant digits so no JSON float loses precision.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from domain.money import MINOR_UNITS, has_precision
from domain.orders.model import OrderType, ProcessingStatus
from services.orders.limits import MAX_ORDER_LINES

Text = Annotated[str, Field(min_length=1, max_length=200)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=6, allow_inf_nan=False)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=6, allow_inf_nan=False)]
# A signed amount: a line charge holding a discount's rounding remainder is negative (F&O).
Charge = Annotated[Decimal, Field(max_digits=15, decimal_places=6, allow_inf_nan=False)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class Command(BaseModel):
    """Base for commands: camelCase on the wire, unknown fields refused (typos surface)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_strip_whitespace=True
    )


class AddressInput(Command):
    """A postal address; ship-to needs at least the country."""

    name: str | None = Field(default=None, max_length=200)
    line1: str | None = Field(default=None, max_length=250)
    line2: str | None = Field(default=None, max_length=250)
    line3: str | None = Field(default=None, max_length=250)
    city: str | None = Field(default=None, max_length=80)
    state_or_province: str | None = Field(default=None, max_length=50)
    postal_code: str | None = Field(default=None, max_length=20)
    country: CountryCode
    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=100)
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)


class OrderLineInput(Command):
    """One ordered product: an existing product id or a write-in product name, never both."""

    external_line_id: str | None = Field(default=None, max_length=100)
    product_id: str | None = Field(default=None, min_length=1, max_length=100)
    write_in_product: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=500)
    quantity: Quantity
    unit: str = Field(default="ea", min_length=1, max_length=20)
    unit_price: Amount = Decimal(0)
    discount: Amount = Decimal(0)
    charges: Charge = Decimal(0)  # line sales charges
    tax: Amount = Decimal(0)
    requested_delivery_date: date | None = None
    launch_date: date | None = None  # preorder: held (Preorder Hold) until this date

    @model_validator(mode="after")
    def _one_product(self) -> Self:
        if (self.product_id is None) == (self.write_in_product is None):
            raise ValueError("give exactly one of productId and writeInProduct")
        if self.discount > self.quantity * self.unit_price:
            raise ValueError("discount exceeds quantity x unitPrice")
        return self


class PlaceOrder(Command):
    """Take an order from a channel; idempotent on (channel, externalOrderId)."""

    channel: Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9._-]+$")]
    external_order_id: Annotated[str, Field(min_length=1, max_length=100)]
    order_number: str | None = Field(default=None, max_length=20)
    order_type: OrderType = OrderType.ITEM_BASED
    customer_id: Text
    invoice_customer_id: str | None = Field(default=None, max_length=200)
    customer_order_reference: str | None = Field(default=None, max_length=60)
    sales_origin: str | None = Field(default=None, max_length=50)
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    ship_to: AddressInput
    bill_to: AddressInput | None = None
    requested_delivery_date: date | None = None
    fulfillment_strategy: str | None = Field(default=None, max_length=100)
    expected_line_count: int | None = Field(default=None, ge=1, le=MAX_ORDER_LINES)
    priority: int = Field(default=100, ge=1, le=999)
    ordered_at: AwareDatetime | None = None
    # Set by ERP intake: the ERP's company, how far its documents got, whose customers they are.
    company: str | None = Field(default=None, max_length=10)
    processing_status: ProcessingStatus | None = None
    customer_externally_maintained: bool = False
    invoice_customer_externally_maintained: bool = False
    freight_amount: Decimal = Field(default=Decimal(0), ge=0)
    lines: list[OrderLineInput] = Field(min_length=1, max_length=MAX_ORDER_LINES)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, currency: str) -> str:
        if currency not in MINOR_UNITS:
            raise ValueError(f"unknown ISO 4217 currency code {currency!r}")
        return currency


def money_problem(command: PlaceOrder) -> tuple[str, str] | None:
    """The first amount with more decimals than the currency allows, as (field, message)."""
    for index, line in enumerate(command.lines):
        for name in ("discount", "charges", "tax"):
            value: Decimal = getattr(line, name)
            if not has_precision(value, command.currency):
                return f"lines.{index}.{name}", f"more decimals than {command.currency} allows"
    return None


class CancelOrder(Command):
    """Cancel the whole order, or only the given lines."""

    line_ids: list[Annotated[str, Field(min_length=1, max_length=20)]] | None = Field(
        default=None, min_length=1, max_length=MAX_ORDER_LINES
    )
    reason: str | None = Field(default=None, max_length=500)
