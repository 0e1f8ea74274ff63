"""Which properties the simulated sales order entities hold, and the amounts F&O computes.

The store keeps one row per order header and per line under the SalesOrderHeadersV2 /
SalesOrderLines property names; the other entity sets are views of those rows. Amounts are
rounded to two decimals (the simulator assumes a two-decimal currency) and kept as JSON floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Entity = dict[str, Any]

_ADDRESS_PARTS = (
    "Name", "Street", "StreetNumber", "City", "StateId", "ZipCode", "CountyId",
    "CountryRegionId", "CountryRegionISOCode", "LocationId", "Description",
)  # fmt: skip
DELIVERY_ADDRESS = frozenset(f"DeliveryAddress{part}" for part in _ADDRESS_PARTS)
INVOICE_ADDRESS = frozenset(f"InvoiceAddress{part}" for part in _ADDRESS_PARTS)

# Header properties a client may write (create, PATCH); computed ones are added by the store.
HEADER_FIELDS = (
    frozenset(
        {
            "dataAreaId", "SalesOrderNumber", "OrderingCustomerAccountNumber",
            "InvoiceCustomerAccountNumber", "CurrencyCode", "CustomersOrderReference",
            "CustomerRequisitionNumber", "SalesOrderName", "SalesOrderOriginCode",
            "SalesOrderPoolId", "DeliveryModeCode", "DeliveryTermsCode", "PaymentTermsName",
            "RequestedShippingDate", "RequestedReceiptDate", "ConfirmedShippingDate",
            "ConfirmedReceiptDate", "DefaultShippingSiteId", "DefaultShippingWarehouseId",
            "Email", "LanguageId", "IsDeliveryAddressOrderSpecific", "SalesOrderStatus",
            "SalesOrderProcessingStatus", "OrderTotalChargesAmount", "OrderTotalTaxAmount",
            "TotalDiscountAmount", "TotalDiscountPercentage",
        }
    )
    | DELIVERY_ADDRESS
    | INVOICE_ADDRESS
)  # fmt: skip
HEADER_COMPUTED = frozenset({"OrderCreationDateTime", "OrderTotalAmount", "ModifiedDateTime"})

# Line properties a client may write through SalesOrderLines (store names).
LINE_FIELDS = (
    frozenset(
        {
            "dataAreaId", "SalesOrderNumber", "LineNumber", "ItemNumber", "LineDescription",
            "OrderedSalesQuantity", "SalesUnitSymbol", "SalesPrice", "LineDiscountAmount",
            "LineDiscountPercentage", "FixedPriceCharges", "TotalTaxAmount", "ShippingSiteId",
            "ShippingWarehouseId", "CustomersLineNumber", "RequestedShippingDate",
            "ConfirmedShippingDate", "DeliveryModeCode", "ExternalItemNumber",
            "OrderLineReference", "SalesOrderLineStatus",
        }
    )
    | DELIVERY_ADDRESS
)  # fmt: skip
LINE_COMPUTED = frozenset({"InventoryLotId", "LineAmount", "CurrencyCode", "ModifiedDateTime"})
# The store also takes the sequence number, which only the CDS lines set lets a client choose.
STORE_LINE_FIELDS = LINE_FIELDS | {"LineCreationSequenceNumber"}

CENT = Decimal("0.01")


def decimal(value: object) -> Decimal:
    """A JSON number (or None) as a Decimal, through its text so 19.99 stays 19.99."""
    return Decimal(0) if value is None or value == "" else Decimal(str(value))


def money(value: Decimal) -> float:
    """An amount rounded half up to cents, as the JSON number the simulator stores."""
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def line_amount(line: Mapping[str, Any]) -> float:
    """Net line amount: quantity x (price less the per-unit discount amount), then the percent.

    F&O's LineDiscountAmount is a discount per unit, whichever entity set wrote it; the line's
    sales charges (FixedPriceCharges) are not part of it but of the order total.
    """
    quantity = decimal(line.get("OrderedSalesQuantity"))
    per_unit = decimal(line.get("LineDiscountAmount"))
    net = quantity * decimal(line.get("SalesPrice")) - quantity * per_unit
    return money(net * (1 - decimal(line.get("LineDiscountPercentage")) / 100))


def order_total(header: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> float:
    """Lines (amount, charges, tax) plus header charges and tax, less the header discount."""
    total = sum(
        (
            decimal(line.get("LineAmount"))
            + decimal(line.get("FixedPriceCharges"))
            + decimal(line.get("TotalTaxAmount"))
            for line in lines
        ),
        Decimal(0),
    )
    total += decimal(header.get("OrderTotalChargesAmount"))
    total += decimal(header.get("OrderTotalTaxAmount"))
    return money(total - decimal(header.get("TotalDiscountAmount")))


def check_fields(body: Mapping[str, Any], known: frozenset[str], entity_type: str) -> None:
    """Refuse a body with a property the entity type does not have (as F&O answers)."""
    unknown = sorted(set(body) - known)
    if unknown:
        raise EntityError(
            400, f"The property '{unknown[0]}' does not exist on type '{entity_type}'"
        )


class EntityError(Exception):
    """A request F&O would refuse: `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
