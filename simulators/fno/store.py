"""The simulated F&O company data: sales order headers, lines and invoices, and their documents.

Entities are plain dicts keyed by the OData property names F&O uses. Numbers come from a sequence
per legal entity (dataAreaId). Posting documents (confirmation, picking list, packing slip,
invoice) moves `SalesOrderProcessingStatus`, `SalesOrderStatus` and the line statuses the way the
dual-write sales-status map describes.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

Entity = dict[str, Any]

HEADER_FIELDS = frozenset(
    {
        "dataAreaId", "SalesOrderNumber", "OrderingCustomerAccountNumber",
        "InvoiceCustomerAccountNumber", "CurrencyCode", "CustomersOrderReference",
        "CustomerRequisitionNumber", "SalesOrderName", "SalesOrderOriginCode", "DeliveryModeCode",
        "DeliveryTermsCode", "PaymentTermsName", "RequestedShippingDate", "RequestedReceiptDate",
        "DefaultShippingSiteId", "DefaultShippingWarehouseId", "Email", "LanguageId",
        "DeliveryAddressName", "DeliveryAddressStreet", "DeliveryAddressStreetNumber",
        "DeliveryAddressCity", "DeliveryAddressStateId", "DeliveryAddressZipCode",
        "DeliveryAddressCountyId", "DeliveryAddressCountryRegionId",
        "DeliveryAddressCountryRegionISOCode", "DeliveryAddressDescription",
        "IsDeliveryAddressOrderSpecific", "SalesOrderStatus", "SalesOrderProcessingStatus",
        "OrderCreationDateTime",
    }
)  # fmt: skip
LINE_FIELDS = frozenset(
    {
        "dataAreaId", "SalesOrderNumber", "LineNumber", "ItemNumber", "LineDescription",
        "OrderedSalesQuantity", "SalesUnitSymbol", "SalesPrice", "LineDiscountAmount",
        "ShippingSiteId", "ShippingWarehouseId", "CustomersLineNumber", "RequestedShippingDate",
        "DeliveryModeCode", "ExternalItemNumber", "OrderLineReference",
    }
)  # fmt: skip

# command -> (processing statuses it may follow, new processing status, new sales status, event)
COMMANDS: dict[str, tuple[frozenset[str], str, str, str]] = {
    "confirm": (frozenset({"Active", "Confirmed"}), "Confirmed", "Backorder", "confirmed"),
    "pick": (frozenset({"Confirmed", "Picked"}), "Picked", "Backorder", "picked"),
    "pack": (frozenset({"Confirmed", "Picked", "Delivered"}), "Delivered", "Delivered", "packed"),
    "invoice": (
        frozenset({"Confirmed", "Picked", "Delivered"}),
        "Invoiced",
        "Invoiced",
        "invoiced",
    ),
}


class EntityError(Exception):
    """A request F&O would refuse: `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def timestamp(moment: datetime) -> str:
    """An Edm.DateTimeOffset as F&O writes it (UTC, `Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FnoStore:
    """All companies' sales orders, lines and invoices, guarded by one lock."""

    default_company: str = "usmf"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    headers: dict[tuple[str, str], Entity] = field(default_factory=dict)
    lines: dict[tuple[str, str], Entity] = field(default_factory=dict)
    invoices: list[Entity] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _numbers: dict[str, itertools.count[int]] = field(default_factory=dict)
    _lots: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _invoice_numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def create_header(self, body: Mapping[str, Any]) -> Entity:
        """Create a sales order header; the number comes from the company's sequence."""
        _check_fields(body, HEADER_FIELDS, "SalesOrderHeaderV2")
        if not body.get("OrderingCustomerAccountNumber"):
            raise EntityError(400, "Customer account must be specified (OrderingCustomerAccount)")
        with self.lock:
            area = str(body.get("dataAreaId") or self.default_company).lower()
            sequence = self._numbers.setdefault(area, itertools.count(1))
            number = f"SO-{next(sequence):06d}"
            header: Entity = {
                "InvoiceCustomerAccountNumber": body["OrderingCustomerAccountNumber"],
                "CurrencyCode": "USD",
                "SalesOrderStatus": "Backorder",
                "SalesOrderProcessingStatus": "Active",
                **body,
                "dataAreaId": area,
                "SalesOrderNumber": number,
                "OrderCreationDateTime": timestamp(self.clock()),
            }
            self.headers[(area, number)] = header
            return dict(header)

    def create_line(self, body: Mapping[str, Any]) -> Entity:
        """Add a line to an existing order; F&O generates the InventoryLotId (the line's key)."""
        _check_fields(body, LINE_FIELDS, "SalesOrderLine")
        with self.lock:
            area = str(body.get("dataAreaId") or self.default_company).lower()
            header = self.headers.get((area, str(body.get("SalesOrderNumber"))))
            if header is None:
                raise EntityError(400, f"Sales order {body.get('SalesOrderNumber')} does not exist")
            if header["SalesOrderProcessingStatus"] in ("Invoiced", "Canceled"):
                raise EntityError(400, f"Sales order {header['SalesOrderNumber']} is closed")
            if not body.get("ItemNumber") or not body.get("OrderedSalesQuantity"):
                raise EntityError(400, "ItemNumber and OrderedSalesQuantity must be specified")
            siblings = self.order_lines(area, header["SalesOrderNumber"])
            lot = f"{area.upper()}-{next(self._lots):08d}"
            quantity = Decimal(str(body["OrderedSalesQuantity"]))
            price = Decimal(str(body.get("SalesPrice", 0)))
            discount = Decimal(str(body.get("LineDiscountAmount", 0)))
            line: Entity = {
                "LineNumber": len(siblings) + 1,
                "SalesUnitSymbol": "ea",
                "SalesPrice": 0,
                "LineDiscountAmount": 0,
                **body,
                "dataAreaId": area,
                "InventoryLotId": lot,
                "LineCreationSequenceNumber": len(siblings) + 1,
                "CurrencyCode": header["CurrencyCode"],
                "LineAmount": float(quantity * price - discount),
                "SalesOrderLineStatus": "Backorder",
            }
            self.lines[(area, lot)] = line
            return dict(line)

    def order_lines(self, area: str, number: str) -> list[Entity]:
        """The lines of one order in creation order."""
        with self.lock:
            return [
                line
                for (line_area, _), line in self.lines.items()
                if line_area == area and line["SalesOrderNumber"] == number
            ]

    def header(self, area: str, number: str) -> Entity:
        """The header with this key (404 EntityError if absent)."""
        found = self.headers.get((area.lower(), number))
        if found is None:
            raise EntityError(404, f"No SalesOrderHeaderV2 ({area}, {number})")
        return found

    def apply(self, area: str, number: str, command: str) -> tuple[str, Entity, list[Entity]]:
        """Post the document `command` names; return the event name, header and lines."""
        if command not in COMMANDS:
            raise EntityError(404, f"unknown command {command!r}")
        sources, processing, sales_status, event = COMMANDS[command]
        with self.lock:
            header = self.header(area, number)
            current = header["SalesOrderProcessingStatus"]
            if current not in sources:
                raise EntityError(409, f"cannot {command} an order that is {current}")
            lines = self.order_lines(header["dataAreaId"], number)
            if command != "confirm" and not lines:
                raise EntityError(409, f"order {number} has no lines")
            header["SalesOrderProcessingStatus"] = processing
            header["SalesOrderStatus"] = sales_status
            for line in lines:
                line["SalesOrderLineStatus"] = sales_status
            if command == "invoice":
                self._invoice(header, lines)
            return event, dict(header), [dict(line) for line in lines]

    def _invoice(self, header: Entity, lines: list[Entity]) -> None:
        total = sum((Decimal(str(line["LineAmount"])) for line in lines), Decimal(0))
        sequence = next(self._invoice_numbers)
        self.invoices.append(
            {
                "dataAreaId": header["dataAreaId"],
                "InvoiceNumber": f"CIV-{sequence:06d}",
                "InvoiceDate": timestamp(self.clock()),
                "LedgerVoucher": f"ARI-{sequence:06d}",
                "SalesOrderNumber": header["SalesOrderNumber"],
                "CustomersOrderReference": header.get("CustomersOrderReference"),
                "InvoiceCustomerAccountNumber": header["InvoiceCustomerAccountNumber"],
                "CurrencyCode": header["CurrencyCode"],
                "TotalInvoiceAmount": float(total),
                "TotalTaxAmount": 0,
                "TotalChargeAmount": 0,
                "TotalDiscountAmount": 0,
            }
        )


def _check_fields(body: Mapping[str, Any], known: frozenset[str], entity: str) -> None:
    unknown = sorted(set(body) - known)
    if unknown:
        raise EntityError(400, f"The property '{unknown[0]}' does not exist on type '{entity}'")
