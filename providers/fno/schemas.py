"""Tolerant views of the F&O OData entities we read: unknown properties are ignored."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal


class SalesStatus(StrEnum):
    """`SalesStatus` symbols (header SalesOrderStatus, line SalesOrderLineStatus)."""

    NONE = "None"
    BACKORDER = "Backorder"
    DELIVERED = "Delivered"
    INVOICED = "Invoiced"
    CANCELED = "Canceled"


class ProcessingStatus(StrEnum):
    """`SalesOrderProcessingStatus` symbols: how far the order's documents have got."""

    ACTIVE = "Active"
    CONFIRMED = "Confirmed"
    PICKED = "Picked"
    PARTIALLY_DELIVERED = "PartiallyDelivered"
    DELIVERED = "Delivered"
    INVOICED = "Invoiced"
    PARTIALLY_INVOICED = "PartiallyInvoiced"
    CANCELED = "Canceled"
    DELIVERED_PARTIALLY_INVOICED = "DeliveredPartiallyInvoiced"


class Entity(BaseModel):
    """Base: PascalCase property names on the wire, extra properties ignored."""

    model_config = ConfigDict(alias_generator=to_pascal, populate_by_name=True, extra="ignore")

    data_area_id: str = Field(alias="dataAreaId")


class SalesOrderHeader(Entity):
    """`SalesOrderHeadersV2`, keyed by (dataAreaId, SalesOrderNumber)."""

    sales_order_number: str
    ordering_customer_account_number: str | None = None
    invoice_customer_account_number: str | None = None
    currency_code: str | None = None
    customers_order_reference: str | None = None
    sales_order_origin_code: str | None = None
    sales_order_status: str | None = None
    sales_order_processing_status: str | None = None
    order_creation_date_time: datetime | None = None
    default_shipping_site_id: str | None = None
    default_shipping_warehouse_id: str | None = None
    email: str | None = None
    delivery_address_name: str | None = None
    delivery_address_street: str | None = None
    delivery_address_street_number: str | None = None
    delivery_address_city: str | None = None
    delivery_address_state_id: str | None = None
    delivery_address_zip_code: str | None = None
    delivery_address_country_region_iso_code: str | None = Field(
        default=None, alias="DeliveryAddressCountryRegionISOCode"
    )

    @property
    def external_order_id(self) -> str:
        """The hub's external id of an F&O order: `<dataAreaId>/<SalesOrderNumber>`."""
        return f"{self.data_area_id}/{self.sales_order_number}"


class SalesOrderLine(Entity):
    """`SalesOrderLines`, keyed by (dataAreaId, InventoryLotId)."""

    inventory_lot_id: str
    sales_order_number: str
    line_number: Decimal | None = None
    item_number: str | None = None
    line_description: str | None = None
    ordered_sales_quantity: Decimal = Decimal(0)
    sales_unit_symbol: str | None = None
    sales_price: Decimal = Decimal(0)
    line_discount_amount: Decimal = Decimal(0)  # per unit, as F&O keeps discount amounts
    fixed_price_charges: Decimal | None = None  # the line's sales charges, when the set has them
    shipping_site_id: str | None = None
    shipping_warehouse_id: str | None = None
    customers_line_number: int | None = None
    sales_order_line_status: str | None = None


class SalesInvoiceHeader(Entity):
    """`SalesInvoiceHeadersV2`, keyed by (dataAreaId, InvoiceNumber, InvoiceDate, LedgerVoucher)."""

    invoice_number: str
    invoice_date: datetime | None = None
    ledger_voucher: str | None = None
    sales_order_number: str | None = None
    customers_order_reference: str | None = None
    invoice_customer_account_number: str | None = None
    currency_code: str | None = None
    total_invoice_amount: Decimal = Decimal(0)
    total_tax_amount: Decimal = Decimal(0)


class Page(BaseModel):
    """One page of an OData collection: raw rows and the link to the next page."""

    model_config = ConfigDict(extra="ignore")

    value: list[dict[str, object]]
    next_link: str | None = Field(default=None, alias="@odata.nextLink")
