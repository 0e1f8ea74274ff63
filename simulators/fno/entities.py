"""The OData entity sets the simulator serves, each a view of the store's header or line rows.

SalesOrderHeadersV2 and SalesOrderLines show the rows as stored. The dual-write sets
CDSSalesOrderHeaders (key dataAreaId + SalesOrderNumber) and CDSSalesOrderLines (key dataAreaId
+ SalesOrderNumber + LineCreationSequenceNumber) show the properties the dual-write maps bind
to, with the CDS names for the product (ProductNumber / ProductName for ItemNumber /
LineDescription). SalesInvoiceHeadersV2 is read-only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from simulators.fno.fields import (
    DELIVERY_ADDRESS,
    HEADER_COMPUTED,
    HEADER_FIELDS,
    INVOICE_ADDRESS,
    LINE_COMPUTED,
    LINE_FIELDS,
    Entity,
    EntityError,
)

HEADER_ENTITY = "CDS sales order headers"
LINE_ENTITY = "CDS sales order lines"
_KEY_PART = re.compile(r"\s*(\w+)\s*=\s*('(?:[^']|'')*'|[^,']+?)\s*(?:,|$)")

CDS_HEADER_FIELDS = (
    frozenset(
        {
            "dataAreaId", "SalesOrderNumber", "OrderingCustomerAccountNumber",
            "InvoiceCustomerAccountNumber", "CurrencyCode", "CustomersOrderReference",
            "SalesOrderName", "SalesOrderOriginCode", "DeliveryModeCode", "DeliveryTermsCode",
            "PaymentTermsName", "RequestedShippingDate", "RequestedReceiptDate",
            "DefaultShippingSiteId", "DefaultShippingWarehouseId", "Email", "LanguageId",
            "SalesOrderStatus", "SalesOrderProcessingStatus", "OrderTotalAmount",
            "OrderTotalChargesAmount", "OrderTotalTaxAmount", "TotalDiscountAmount",
            "OrderCreationDateTime", "ModifiedDateTime",
        }
    )
    | DELIVERY_ADDRESS
    | INVOICE_ADDRESS
)  # fmt: skip
CDS_LINE_FIELDS = (
    frozenset(
        {
            "dataAreaId", "SalesOrderNumber", "LineCreationSequenceNumber", "LineNumber",
            "ProductNumber", "ProductName", "OrderedSalesQuantity", "SalesUnitSymbol",
            "SalesPrice", "LineAmount", "TotalTaxAmount", "LineDiscountAmount",
            "LineDiscountPercentage", "FixedPriceCharges", "ShippingSiteId",
            "ShippingWarehouseId", "RequestedShippingDate", "ConfirmedShippingDate",
            "SalesOrderLineStatus", "CurrencyCode", "CustomersLineNumber", "ModifiedDateTime",
        }
    )
    | DELIVERY_ADDRESS
)  # fmt: skip


@dataclass(frozen=True)
class EntitySet:
    """One entity set: which rows it shows (`kind`), its key and the properties it shows."""

    name: str
    entity_type: str
    kind: str  # "header", "line" or "invoice": the store rows it is a view of
    key: tuple[str, ...]
    writable: frozenset[str]  # properties (in this set's names) a create or PATCH may carry
    shown: frozenset[str] | None = None  # the properties it returns; None: every stored one
    renames: Mapping[str, str] = field(default_factory=dict)  # this set's name -> store name
    dual_write: str | None = None  # the dual-write entity name, for change notifications

    def view(self, row: Mapping[str, Any]) -> Entity:
        """The stored row as this set shows it, with its ETag annotation."""
        names = {store: mine for mine, store in self.renames.items()}
        shown: Entity = {}
        for name, value in row.items():
            mine = names.get(name, name)
            if self.shown is None or mine in self.shown or name == "@odata.etag":
                shown[mine] = value
        return shown

    def to_store(self, body: Mapping[str, Any]) -> Entity:
        """A create or PATCH body in store names; 400 for properties this set cannot write."""
        values = {k: v for k, v in body.items() if not k.startswith("@odata.")}
        for name in sorted(values):
            if name not in self.writable:
                if self.shown is not None and name in self.shown:
                    raise EntityError(400, f"The property '{name}' is read-only")
                raise EntityError(
                    400, f"The property '{name}' does not exist on type '{self.entity_type}'"
                )
        return {self.renames.get(name, name): value for name, value in values.items()}

    def key_of(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The key properties of a stored row, in this set's names."""
        shown = self.view(row)
        return {name: shown[name] for name in self.key}

    def parse_key(self, text: str) -> dict[str, Any]:
        """The key of a `Set(<key>)` URL segment; 400 unless it names every key property."""
        key = parse_key(text)
        missing = [name for name in self.key if name not in key]
        if missing or len(key) != len(self.key):
            raise EntityError(400, f"{self.name} is keyed by {', '.join(self.key)}")
        return key


def parse_key(text: str) -> dict[str, Any]:
    """`a='x',b=2` as {"a": "x", "b": 2}: strings unquote ('' -> '), numbers stay numbers."""
    key: dict[str, Any] = {}
    position = 0
    while position < len(text):
        part = _KEY_PART.match(text, position)
        if part is None or part.end() == position:
            raise EntityError(400, f"Malformed key: ({text})")
        key[part.group(1)] = _literal(part.group(2))
        position = part.end()
    return key


def _literal(text: str) -> Any:
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    try:
        number = Decimal(text)
    except InvalidOperation as err:
        raise EntityError(400, f"Malformed key value {text}") from err
    return int(number) if number == number.to_integral_value() else number


HEADER_KEY = ("dataAreaId", "SalesOrderNumber")
ENTITY_SETS: dict[str, EntitySet] = {
    s.name: s
    for s in (
        EntitySet("SalesOrderHeadersV2", "SalesOrderHeaderV2", "header", HEADER_KEY,
                  HEADER_FIELDS),
        EntitySet("SalesOrderLines", "SalesOrderLine", "line", ("dataAreaId", "InventoryLotId"),
                  LINE_FIELDS),
        EntitySet("SalesInvoiceHeadersV2", "SalesInvoiceHeaderV2", "invoice",
                  ("dataAreaId", "InvoiceNumber", "InvoiceDate", "LedgerVoucher"), frozenset()),
        EntitySet("CDSSalesOrderHeaders", "CDSSalesOrderHeader", "header", HEADER_KEY,
                  CDS_HEADER_FIELDS - HEADER_COMPUTED, CDS_HEADER_FIELDS,
                  dual_write=HEADER_ENTITY),
        EntitySet("CDSSalesOrderLines", "CDSSalesOrderLine", "line",
                  (*HEADER_KEY, "LineCreationSequenceNumber"),
                  CDS_LINE_FIELDS - LINE_COMPUTED - {"LineNumber"}, CDS_LINE_FIELDS,
                  {"ProductNumber": "ItemNumber", "ProductName": "LineDescription"},
                  dual_write=LINE_ENTITY),
    )
}  # fmt: skip
# The set whose key a change notification carries, per kind of store row.
NOTIFYING = {s.kind: s for s in ENTITY_SETS.values() if s.dual_write is not None}
