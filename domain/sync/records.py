"""The hub side of the sync maps: Dataverse-shaped records of orders and lines, and writes back.

`order_sync_record` and `line_sync_record` extend the generic view records with every source
column the shipped maps read (dotted lookup names such as `customerid.accountnumber`); a line
repeats its order's columns under `order/` so a line map's filter can test the header. Columns
the hub has no value for are left out. `apply_to_order` / `apply_to_line` are the way back:
each writable column sets one model field; read-only and unknown columns are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from domain.filters import FilterValue
from domain.money import round_money
from domain.orders import view
from domain.orders.model import Address, OrderLine, OrderType, ProcessingStatus, SalesOrder
from domain.orders.states import OrderState
from domain.sync.columns import Writable, amount, apply_columns, day, decimal, flag, text
from domain.sync.engine import SyncError
from domain.sync.prospect_to_cash import FREIGHT_TAX_SEQUENCE
from domain.sync.purchase_records import (
    purchase_line_record,
    purchase_order_record,
    receipt_line_record,
    receipt_record,
)
from domain.sync.transforms import FREIGHT_TAX_PRODUCT, write_in_tax_line

Record = dict[str, FilterValue]

__all__ = [
    "apply_to_line",
    "apply_to_order",
    "freight_tax_record",
    "line_sync_record",
    "order_sync_record",
    "purchase_line_record",
    "purchase_order_record",
    "receipt_line_record",
    "receipt_record",
]

# Dataverse msdyn_processingstatus, the same pairs as the headers map's processing_status map.
PROCESSING_STATUS_CODES: dict[ProcessingStatus, int] = {
    ProcessingStatus.ACTIVE: 192350000,
    ProcessingStatus.CONFIRMED: 192350001,
    ProcessingStatus.PICKED: 192350002,
    ProcessingStatus.PARTIALLY_DELIVERED: 192350003,
    ProcessingStatus.DELIVERED: 192350004,
    ProcessingStatus.INVOICED: 192350005,
    ProcessingStatus.PARTIALLY_INVOICED: 192350006,
    ProcessingStatus.CANCELED: 192350007,
    ProcessingStatus.DELIVERED_PARTIALLY_INVOICED: 192350008,
}
_PROCESSING_STATUS_OF = {code: status for status, code in PROCESSING_STATUS_CODES.items()}
_ORDER_TYPE_OF = {code: kind for kind, code in view.ORDER_TYPE_CODES.items()}

# Dataverse msdyn_linestatus (F&O SalesStatus), as the lines map's line_status map pairs them.
LINE_NONE, LINE_BACKORDER, LINE_DELIVERED, LINE_INVOICED, LINE_CANCELED = range(
    192350000, 192350005
)

# ISO code -> the country name Dataverse keeps in shipto_country (the maps' country pairs).
COUNTRY_NAMES: dict[str, str] = {
    "US": "united states", "DE": "germany", "FR": "france", "GB": "united kingdom",
    "JP": "japan", "IN": "india", "ES": "spain", "NZ": "new zealand", "AU": "australia",
    "CO": "columbia", "ZA": "south africa", "BE": "belgium", "CA": "canada", "AT": "austria",
    "TR": "türkiye", "CN": "china", "DK": "denmark", "SE": "sweden", "NO": "norway",
    "FI": "finland", "EG": "egypt",
}  # fmt: skip
_ISO_OF = {name: iso for iso, name in COUNTRY_NAMES.items()}
_ADDRESS_FIELDS = {
    "name": "name", "line1": "line1", "line2": "line2", "line3": "line3", "city": "city",
    "stateorprovince": "state_or_province", "postalcode": "postal_code", "country": "country",
    "telephone": "phone",
}  # fmt: skip


def _processing_code(order: SalesOrder) -> FilterValue:
    status = order.processing_status
    return None if status is None else PROCESSING_STATUS_CODES[status]


ORDER_COLUMNS: dict[str, Callable[[SalesOrder], FilterValue]] = {
    "msdyn_company.cdm_companycode": lambda o: o.company,
    "msdyn_salesordernumber": lambda o: o.order_number,
    "customerid.accountnumber": lambda o: o.customer_id,
    "msdyn_invoicecustomerid.accountnumber": lambda o: o.invoice_customer_id,
    "transactioncurrencyid.isocurrencycode": lambda o: o.currency,
    "msdyn_customersorderreference": lambda o: o.customer_order_reference,
    "msdyn_salesorderorigin.msdyn_origincode": lambda o: o.sales_origin,
    "emailaddress": lambda o: o.ship_to.email,
    "msdyn_processingstatus": _processing_code,
    "freightamount": lambda o: o.freight_amount,
    "msdyn_headertax": lambda o: o.header_tax,
    "msdyn_aretotalscalculated": lambda o: o.totals_calculated,
    "msdyn_orderingcustomerisexternallymaintained": lambda o: o.customer_externally_maintained,
    "msdyn_invoicecustomerisexternallymaintained": (
        lambda o: o.invoice_customer_externally_maintained
    ),
    "discountamount": lambda o: o.totals.discount if o.totals else None,
    "totaltax": lambda o: o.totals.tax if o.totals else None,
    "totalamount": lambda o: o.totals.total if o.totals else view.total_amount(o),
}


def _line_status(line: OrderLine) -> int:
    """The F&O line status the hub's quantities and state imply (open until all shipped)."""
    if line.state == OrderState.CANCELED or line.quantity_canceled >= line.quantity:
        return LINE_CANCELED
    if line.quantity_invoiced >= line.quantity:
        return LINE_INVOICED
    if line.quantity_shipped >= line.quantity:
        return LINE_DELIVERED
    return LINE_BACKORDER


LINE_COLUMNS: dict[str, Callable[[OrderLine], FilterValue]] = {
    "msdyn_company.cdm_companycode": lambda line: line.company,
    "sequencenumber": lambda line: line.line_number,
    "productid.msdyn_productnumber": lambda line: line.product_id,
    "description": lambda line: line.description,
    "uomid.msdyn_symbol": lambda line: line.unit,
    "msdyn_shippingsite.msdyn_siteid": lambda line: line.shipping_site,
    "msdyn_shippingwarehouse.msdyn_warehouseidentifier": lambda line: line.shipping_warehouse,
    "msdyn_linestatus": _line_status,
    "msdyn_linecharges": lambda line: line.charges,
}


def _order_of_line(order: SalesOrder) -> Record:
    """The header columns a line record repeats unprefixed, as Dataverse lines carry them."""
    return {
        "salesorderid.msdyn_salesordernumber": order.order_number,
        # The discount transforms round to the order's currency.
        "msdyn_isocurrencycode": order.currency,
        "transactioncurrencyid.isocurrencycode": order.currency,
    }


def order_sync_record(order: SalesOrder) -> Record:
    """The order as the hub's header maps read it: the view record plus the maps' columns."""
    record = view.order_record(order)
    record.update({column: read(order) for column, read in ORDER_COLUMNS.items()})
    return record


def line_sync_record(order: SalesOrder, line: OrderLine) -> Record:
    """A line as the hub's line maps read it, with its order's sync columns under `order/`."""
    record = view.line_record(order, line)
    record.update({column: read(line) for column, read in LINE_COLUMNS.items()})
    record.update(_order_of_line(order))
    record.update({f"order/{k}": v for k, v in order_sync_record(order).items()})
    return record


def freight_tax_record(order: SalesOrder) -> Record | None:
    """The hub line record of the "Freight Tax" write-in that carries header tax to Sales."""
    tax = round_money(order.header_tax, order.currency)
    if tax == 0:
        return None
    record: Record = {f"order/{k}": v for k, v in order_sync_record(order).items()}
    record.update(write_in_tax_line(order.order_number, tax))
    record.update(_order_of_line(order))
    record.update({"sequencenumber": FREIGHT_TAX_SEQUENCE, "description": FREIGHT_TAX_PRODUCT})
    return record


def _processing_status(value: FilterValue) -> ProcessingStatus | None:
    if value is None:
        return None
    try:
        return _PROCESSING_STATUS_OF[int(str(value))]
    except (KeyError, ValueError):
        raise SyncError(f"unknown msdyn_processingstatus {value!r}") from None


def _order_type(value: FilterValue) -> OrderType | None:
    if value is None:
        return None
    try:
        return _ORDER_TYPE_OF[int(str(value))]
    except (KeyError, ValueError):
        raise SyncError(f"unknown msdyn_ordertype {value!r}") from None


def _country(value: FilterValue) -> str | None:
    """An ISO code from either an ISO code or the Dataverse country name."""
    raw = text(value)
    if raw is None:
        return None
    return _ISO_OF.get(raw.casefold(), raw.upper() if len(raw) == 2 else raw)


def _currency(value: FilterValue) -> str | None:
    raw = text(value)
    return None if raw is None else raw.upper()


def _address_writes(prefix: str, attribute: str) -> dict[str, Writable]:
    return {
        f"{prefix}_{column}": Writable((attribute, name), _country if name == "country" else text)
        for column, name in _ADDRESS_FIELDS.items()
    }


ORDER_WRITES: dict[str, Writable] = {
    "msdyn_company.cdm_companycode": Writable(("company",), text),
    "msdyn_salesordernumber": Writable(("order_number",), text),
    "customerid.accountnumber": Writable(("customer_id",), text, nullable=False),
    "msdyn_invoicecustomerid.accountnumber": Writable(("invoice_customer_id",), text),
    "transactioncurrencyid.isocurrencycode": Writable(("currency",), _currency, nullable=False),
    "msdyn_isocurrencycode": Writable(("currency",), _currency, nullable=False),
    "msdyn_customersorderreference": Writable(("customer_order_reference",), text),
    "msdyn_salesorderorigin.msdyn_origincode": Writable(("sales_origin",), text),
    "msdyn_ordertype": Writable(("order_type",), _order_type, nullable=False),
    "msdyn_isreadytosync": Writable(("ready_to_sync",), flag, nullable=False),
    "msdyn_processingstatus": Writable(("processing_status",), _processing_status),
    "requestdeliveryby": Writable(("requested_delivery_date",), day),
    "emailaddress": Writable(("ship_to", "email"), text),
    # Not "freightamount": F&O's OrderTotalChargesAmount also holds line charges (such as the
    # discount remainders), so taking it as the hub's header freight would count them twice.
    "msdyn_headertax": Writable(("header_tax",), amount),
    "totalamount": Writable(("totals", "total"), amount),
    "discountamount": Writable(("totals", "discount"), amount),
    "totaltax": Writable(("totals", "tax"), amount),
    "msdyn_orderingcustomerisexternallymaintained": Writable(
        ("customer_externally_maintained",), flag, nullable=False
    ),
    "msdyn_invoicecustomerisexternallymaintained": Writable(
        ("invoice_customer_externally_maintained",), flag, nullable=False
    ),
    **_address_writes("shipto", "ship_to"),
    **_address_writes("billto", "bill_to"),
}

LINE_WRITES: dict[str, Writable] = {
    "quantity": Writable(("quantity",), decimal, nullable=False),
    "priceperunit": Writable(("unit_price",), amount),
    "manualdiscountamount": Writable(("discount",), amount),
    "msdyn_linecharges": Writable(("charges",), amount),
    "tax": Writable(("tax",), amount),
    "description": Writable(("description",), text),
    "productdescription": Writable(("write_in_product",), text),
    "productid.msdyn_productnumber": Writable(("product_id",), text),
    "uomid.msdyn_symbol": Writable(("unit",), text, nullable=False),
    "requestdeliveryby": Writable(("requested_delivery_date",), day),
    "msdyn_company.cdm_companycode": Writable(("company",), text),
    "msdyn_shippingsite.msdyn_siteid": Writable(("shipping_site",), text),
    "msdyn_shippingwarehouse.msdyn_warehouseidentifier": Writable(("shipping_warehouse",), text),
    "msdyn_isreadytosync": Writable(("ready_to_sync",), flag, nullable=False),
}


def apply_to_order(order: SalesOrder, fields: Mapping[str, FilterValue]) -> list[str]:
    """Write back the order columns the hub keeps; the names of the columns that changed it."""
    return apply_columns(order, ORDER_WRITES, fields, {"ship_to": Address, "bill_to": Address})


def apply_to_line(line: OrderLine, fields: Mapping[str, FilterValue]) -> list[str]:
    """Write back the line columns the hub keeps; the names of the columns that changed it."""
    return apply_columns(line, LINE_WRITES, fields)
