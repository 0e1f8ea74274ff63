"""Our orders as F&O request bodies, and F&O orders as the hub's PlaceOrder command.

Outbound: the header carries the company (dataAreaId), ordering and invoice customer, currency,
our order id as CustomersOrderReference and the delivery address; each line carries its site
and warehouse and our line number as CustomersLineNumber, so a retry can find what exists.
Inbound: an F&O order becomes PlaceOrder on channel "fno" with external id
`<dataAreaId>/<SalesOrderNumber>`; its lines keep their InventoryLotId as external line id.

Discounts: the hub's line discount is per line, F&O's LineDiscountAmount per unit. Sending splits
ours into the per-unit amount and a rounding remainder in the line's sales charges
(FixedPriceCharges), as dual-write does: quantity 3 and $10.00 give $3.33 and -$0.01. Intake
takes F&O's per-unit amount times the quantity as the discount and FixedPriceCharges as charges.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain.money import MINOR_UNITS, round_money
from domain.orders.model import OrderLine, SalesOrder
from domain.sync.transforms import split_line_discount
from providers.fno.schemas import SalesOrderHeader, SalesOrderLine
from services.orders.commands import PlaceOrder

CHANNEL = "fno"


def _number(value: Decimal) -> int | float:
    """A JSON number for an Edm.Decimal (integral values stay integers)."""
    return int(value) if value == value.to_integral_value() else float(value)


def header_body(order: SalesOrder, company: str, reference: str) -> dict[str, object]:
    """The SalesOrderHeadersV2 create body for `order` in legal entity `company`."""
    ship_to = order.ship_to
    street = ", ".join(part for part in (ship_to.line1, ship_to.line2, ship_to.line3) if part)
    body: dict[str, object | None] = {
        "dataAreaId": company,
        "OrderingCustomerAccountNumber": order.customer_id,
        "InvoiceCustomerAccountNumber": order.invoice_customer_id or order.customer_id,
        "CurrencyCode": order.currency,
        "CustomersOrderReference": reference,
        "SalesOrderName": order.order_number,
        "Email": ship_to.email,
        "DeliveryAddressName": ship_to.name,
        "DeliveryAddressStreet": street or None,
        "DeliveryAddressCity": ship_to.city,
        "DeliveryAddressStateId": ship_to.state_or_province,
        "DeliveryAddressZipCode": ship_to.postal_code,
        "DeliveryAddressCountryRegionISOCode": ship_to.country,
        "IsDeliveryAddressOrderSpecific": "Yes",
    }
    assigned = next((line for line in order.lines if line.shipping_warehouse), None)
    if assigned is not None:
        body["DefaultShippingSiteId"] = assigned.shipping_site
        body["DefaultShippingWarehouseId"] = assigned.shipping_warehouse
    return {name: value for name, value in body.items() if value is not None}


def line_body(
    line: OrderLine, currency: str, company: str, sales_order_number: str
) -> dict[str, object]:
    """The SalesOrderLines create body for one of our lines on an existing F&O order."""
    per_unit, remainder = split_line_discount(line.discount, line.quantity, currency)
    charges = remainder + line.charges
    body: dict[str, object | None] = {
        "dataAreaId": company,
        "SalesOrderNumber": sales_order_number,
        "ItemNumber": line.product_id,
        "LineDescription": line.description,
        "OrderedSalesQuantity": _number(line.quantity),
        "SalesUnitSymbol": line.unit,
        "SalesPrice": _number(line.unit_price),
        "LineDiscountAmount": _number(per_unit),
        # Left out when there is nothing to charge, which keeps most bodies small.
        "FixedPriceCharges": _number(charges) if charges != 0 or line.charges != 0 else None,
        "ShippingSiteId": line.shipping_site,
        "ShippingWarehouseId": line.shipping_warehouse,
        "CustomersLineNumber": line.line_number,
    }
    return {name: value for name, value in body.items() if value is not None}


def place_order(header: SalesOrderHeader, lines: Sequence[SalesOrderLine]) -> PlaceOrder:
    """The PlaceOrder command for a confirmed F&O order (pydantic ValidationError if unfit)."""
    address = {
        "name": header.delivery_address_name,
        "line1": header.delivery_address_street,
        "line2": header.delivery_address_street_number,
        "city": header.delivery_address_city,
        "stateOrProvince": header.delivery_address_state_id,
        "postalCode": header.delivery_address_zip_code,
        "country": (header.delivery_address_country_region_iso_code or "").upper(),
    }
    command = {
        "channel": CHANNEL,
        "externalOrderId": header.external_order_id,
        "orderNumber": header.sales_order_number,
        "customerId": header.ordering_customer_account_number,
        "invoiceCustomerId": header.invoice_customer_account_number,
        "customerOrderReference": header.customers_order_reference,
        "salesOrigin": header.sales_order_origin_code or None,  # F&O's sales origin (M2)
        "currency": header.currency_code,
        "shipTo": {key: value for key, value in address.items() if value is not None},
        "orderedAt": header.order_creation_date_time,
        "company": header.data_area_id,
        "processingStatus": header.sales_order_processing_status,
        # F&O keeps these customers' master data: Prospect-to-cash may send the order to Sales.
        "customerExternallyMaintained": True,
        "invoiceCustomerExternallyMaintained": True,
        "lines": [_line_input(line, header.currency_code) for line in lines],
    }
    return PlaceOrder.model_validate({k: v for k, v in command.items() if v is not None})


def _line_input(line: SalesOrderLine, currency: str | None) -> dict[str, object]:
    values = {
        "externalLineId": line.inventory_lot_id,
        "productId": line.item_number,
        "description": line.line_description,
        "quantity": line.ordered_sales_quantity,
        "unit": line.sales_unit_symbol,
        "unitPrice": line.sales_price,
        "discount": _line_discount(line, currency),
        # Kept as F&O has them (3 x $3.33 and -$0.01, not $10.00 and 0): the charges may hold
        # real charges besides a discount's remainder, and nothing tells the two apart.
        "charges": line.fixed_price_charges,
    }
    return {key: value for key, value in values.items() if value is not None}


def _line_discount(line: SalesOrderLine, currency: str | None) -> Decimal:
    """The hub's per-line discount: F&O's per-unit amount times the quantity, rounded once."""
    amount = line.line_discount_amount * line.ordered_sales_quantity
    # An unknown currency fails PlaceOrder's own validation; rounding must not raise first.
    return round_money(amount, currency) if currency in MINOR_UNITS else amount
