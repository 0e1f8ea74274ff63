"""Flat, Dataverse-shaped records of an order and its children, for conditions and sync filters.

Each record carries our API names (exactly the camelCase aliases of the model) and the Dataverse
column names that IOM's filters use, so both `quantity ge 5` and `msdyn_isreadytosync eq true`
work. Nested values are flattened with `/` (`shipTo/country`); a line's record repeats every
field of its order under `order/`, a fulfillment order's too, and a fulfillment order line's
also its fulfillment order's under `fulfillmentorder/`. Money and quantities stay Decimal and
exact (unrounded), enums become their text, unset values None, and dates midnight UTC datetimes
because the filter language has only datetime literals. Lookups (`_<lookup>_value`) hold our
codes (e.g. "USMF"), not Dataverse GUIDs: the sync filters only test them against null.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import get_args

from pydantic import BaseModel

from domain.filters import FilterValue
from domain.orders.model import (
    Address,
    FulfillmentOrder,
    FulfillmentOrderLine,
    OrderLine,
    OrderType,
    SalesOrder,
)
from domain.orders.states import OrderState

Record = dict[str, FilterValue]

# Dataverse msdyn_ordertype. 192350000 is "Item based" (the FinOps sync filter selects it);
# 192350001 is Dataverse's "Work based", so subscriptions take the hub's own 192350002 and are
# never mistaken for either.
ORDER_TYPE_CODES: dict[OrderType, int] = {
    OrderType.ITEM_BASED: 192350000,
    OrderType.SUBSCRIPTION: 192350002,
}

# Order header state -> Dataverse salesorder (statecode, statuscode):
#   New                     0 Active     1         New
#   In Progress             0 Active     700970000 In Progress
#   On Hold                 0 Active     2         Pending (Dataverse has no "on hold" reason)
#   Fulfillment in Process  1 Submitted  3         In Progress
#   Completed               4 Invoiced   100003    Invoiced (only "Order Invoiced" completes an
#                                                  order, and the FinOps filter stops syncing it)
#   Canceled                2 Canceled   4         No Money (Dataverse's only Canceled reason)
ORDER_STATUS_CODES: dict[OrderState, tuple[int, int]] = {
    OrderState.NEW: (0, 1),
    OrderState.IN_PROGRESS: (0, 700970000),
    OrderState.ON_HOLD: (0, 2),
    OrderState.FULFILLMENT_IN_PROCESS: (1, 3),
    OrderState.COMPLETED: (4, 100003),
    OrderState.CANCELED: (2, 4),
}

# Line state -> IOM line msdyn_statuscode. The FinOps sync filter excludes 192350001, so Canceled
# and On Hold lines both take it and never sync; the other values are the hub's own, in the
# same option-set range, one per state.
LINE_STATUS_EXCLUDED = 192350001
LINE_STATUS_CODES: dict[OrderState, int] = {
    OrderState.NEW: 192350000,
    OrderState.IN_PROGRESS: 192350002,
    OrderState.ON_HOLD: LINE_STATUS_EXCLUDED,
    OrderState.FULFILLMENT_IN_PROCESS: 192350003,
    OrderState.COMPLETED: 192350004,
    OrderState.CANCELED: LINE_STATUS_EXCLUDED,
}

# Address field -> Dataverse column suffix (shipto_<suffix>, billto_<suffix>).
_ADDRESS_COLUMNS = {
    "name": "name",
    "line1": "line1",
    "line2": "line2",
    "line3": "line3",
    "city": "city",
    "state_or_province": "stateorprovince",
    "postal_code": "postalcode",
    "country": "country",
    "phone": "telephone",
}


def order_record(order: SalesOrder) -> Record:
    """The order header: API fields (addresses under `shipTo/`, `billTo/`) and Dataverse columns."""
    record = _api_fields(order)
    record["lineCount"] = len(order.lines)
    record["totalAmount"] = total_amount(order)
    record.update(_order_columns(order))
    return record


def line_record(order: SalesOrder, line: OrderLine) -> Record:
    """An order line, with its order's fields under `order/`."""
    record = _api_fields(line)
    record["amount"] = line.amount
    record.update(_line_columns(line))
    record.update(_prefixed("order", order_record(order)))
    return record


def fulfillment_order_record(order: SalesOrder, fo: FulfillmentOrder) -> Record:
    """A fulfillment order, with its order's fields under `order/`."""
    record = _fo_own_fields(fo)
    record.update(_prefixed("order", order_record(order)))
    return record


def fulfillment_order_line_record(
    order: SalesOrder, fo: FulfillmentOrder, fo_line: FulfillmentOrderLine
) -> Record:
    """A fulfillment order line, with `order/` and `fulfillmentorder/` fields of its parents."""
    record = _api_fields(fo_line)
    record.update({"_productid_value": fo_line.product_id, "quantity": fo_line.quantity})
    record.update(_prefixed("fulfillmentorder", _fo_own_fields(fo)))
    record.update(_prefixed("order", order_record(order)))
    return record


def total_amount(order: SalesOrder) -> Decimal:
    """The open lines' amounts after discount, their charges and tax, plus freight and header tax.

    Unrounded; the same parts as the calculated totals (`domain.orders.totals`), for the time
    before the sales totals job has run.
    """
    lines = sum(
        (line.amount + line.charges + line.tax for line in order.active_lines()), Decimal(0)
    )
    return lines + order.freight_amount + order.header_tax


def _api_fields(model: BaseModel, prefix: str = "") -> Record:
    """Scalar fields under their aliases; nested models flattened with `/`; lists left out."""
    record: Record = {}
    for name, info in type(model).model_fields.items():
        key = prefix + (info.alias or name)
        value = getattr(model, name)
        if isinstance(value, list) or (value is None and _holds_model(info.annotation)):
            # Lists (lines, findings) are records of their own or not filterable; an absent
            # address has no key at all, so its fields read as null like any missing field.
            continue
        if isinstance(value, BaseModel):
            record.update(_api_fields(value, f"{key}/"))
        else:
            record[key] = _scalar(value)
    return record


def _holds_model(annotation: object) -> bool:
    candidates = (annotation, *get_args(annotation))
    return any(isinstance(c, type) and issubclass(c, BaseModel) for c in candidates)


def _scalar(value: object) -> FilterValue:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return _moment(value)
    if value is None or isinstance(value, str | int | float | Decimal | datetime):
        return value
    raise TypeError(f"no filter value for {type(value).__name__}")


def _moment(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def _prefixed(prefix: str, record: Record) -> Record:
    return {f"{prefix}/{key}": value for key, value in record.items()}


def _order_columns(order: SalesOrder) -> Record:
    statecode, statuscode = ORDER_STATUS_CODES[order.state]
    columns: Record = {
        "salesorderid": order.order_id,
        "ordernumber": order.order_number,
        "msdyn_ordertype": ORDER_TYPE_CODES[order.order_type],
        "msdyn_externalorderid": order.external_order_id,
        "msdyn_salesorderorigin": order.sales_origin,
        "_customerid_value": order.customer_id,
        "_msdyn_invoicecustomerid_value": order.invoice_customer_id,
        "_msdyn_company_value": order.company,
        "msdyn_isocurrencycode": order.currency,
        "msdyn_isreadytosync": order.ready_to_sync,
        "statecode": statecode,
        "statuscode": statuscode,
        "requestdeliveryby": _moment(order.requested_delivery_date),
        "totalamount": total_amount(order),
    }
    columns.update(_address_columns("shipto", order.ship_to))
    columns.update(_address_columns("billto", order.bill_to))
    return columns


def _address_columns(prefix: str, address: Address | None) -> Record:
    return {
        f"{prefix}_{column}": None if address is None else getattr(address, name)
        for name, column in _ADDRESS_COLUMNS.items()
    }


def _line_columns(line: OrderLine) -> Record:
    return {
        "salesorderdetailid": line.line_id,
        "lineitemnumber": line.line_number,
        "_productid_value": line.product_id,
        "productdescription": line.write_in_product,
        # Dataverse flags a line without a catalog product as a write-in ("overridden").
        "isproductoverridden": line.product_id is None,
        "quantity": line.quantity,
        "priceperunit": line.unit_price,
        "manualdiscountamount": line.discount,
        "tax": line.tax,
        "baseamount": line.quantity * line.unit_price,
        "extendedamount": line.amount + line.tax,
        "quantityshipped": line.quantity_shipped,
        "quantitybackordered": line.quantity_backordered,
        "quantitycancelled": line.quantity_canceled,
        "requestdeliveryby": _moment(line.requested_delivery_date),
        "_msdyn_company_value": line.company,
        "_msdyn_shippingsite_value": line.shipping_site,
        "_msdyn_shippingwarehouse_value": line.shipping_warehouse,
        "msdyn_isreadytosync": line.ready_to_sync,
        "msdyn_statuscode": LINE_STATUS_CODES[line.state],
    }


def _fulfillment_order_columns(fo: FulfillmentOrder) -> Record:
    return {
        "msdyn_fulfillmentorderid": fo.fulfillment_order_id,
        "_msdyn_fulfillmentsource_value": fo.source_id,
        "_msdyn_shippingwarehouse_value": fo.shipping_warehouse,
    }


def _fo_own_fields(fo: FulfillmentOrder) -> Record:
    record = _api_fields(fo)
    record["lineCount"] = len(fo.lines)
    record.update(_fulfillment_order_columns(fo))
    return record
