"""The simulated F&O company data: one row per sales order header, line and invoice.

Rows are plain dicts under the SalesOrderHeadersV2 / SalesOrderLines property names; the entity
sets of `simulators.fno.entities` are views of them, so one order has several shapes as in F&O.
Every change stamps the row with a new `@odata.etag` (W/"<n>" from one counter, like F&O's
RecVersion) and `ModifiedDateTime`, and reports it to `on_change`, which runs under the store's
lock and so must only queue. A line change that moves the order total changes the header too.
Order numbers come from a sequence per legal entity (dataAreaId). Lines are indexed by order and
by creation sequence, so finding an order's lines costs the same however many orders there are.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulators.fno.documents import COMMANDS, invoice, modified_stamp, timestamp
from simulators.fno.fields import (
    HEADER_FIELDS,
    STORE_LINE_FIELDS,
    Entity,
    EntityError,
    check_fields,
    line_amount,
    order_total,
)

__all__ = ["ChangeListener", "Entity", "EntityError", "FnoStore", "timestamp"]

ChangeListener = Callable[[str, Entity], None]  # ("header" | "line", a copy of the changed row)
OrderKey = tuple[str, str]  # (dataAreaId, SalesOrderNumber)
LineKey = tuple[str, str]  # (dataAreaId, InventoryLotId): where `FnoStore.lines` keeps a line
_IMMUTABLE = ("dataAreaId", "SalesOrderNumber", "LineCreationSequenceNumber")


@dataclass
class FnoStore:
    """All companies' sales orders, lines and invoices, guarded by one lock."""

    default_company: str = "usmf"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    headers: dict[OrderKey, Entity] = field(default_factory=dict)
    lines: dict[LineKey, Entity] = field(default_factory=dict)  # add only through `_add_line`
    invoices: list[Entity] = field(default_factory=list)
    unreleased: set[str] = field(default_factory=set)  # item numbers no company may sell
    on_change: ChangeListener | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    _numbers: dict[str, itertools.count[int]] = field(default_factory=dict)
    _lots: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _invoice_numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lines_of: dict[OrderKey, list[LineKey]] = field(default_factory=dict)  # in creation order
    _line_at: dict[tuple[str, str, int], LineKey] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Index any lines the store was built with."""
        for line in list(self.lines.values()):
            self._add_line(line)

    def create_header(self, body: Mapping[str, Any]) -> Entity:
        """Create a sales order header; the number comes from the company's sequence if absent."""
        check_fields(body, HEADER_FIELDS, "SalesOrderHeaderV2")
        values = _present(body)
        if not values.get("OrderingCustomerAccountNumber"):
            raise EntityError(400, "Customer account must be specified (OrderingCustomerAccount)")
        with self.lock:
            area = str(values.get("dataAreaId") or self.default_company).lower()
            number = str(values.get("SalesOrderNumber") or self._next_number(area))
            if (area, number) in self.headers:
                raise EntityError(400, f"Sales order {number} already exists in company {area}")
            header: Entity = {
                "InvoiceCustomerAccountNumber": values["OrderingCustomerAccountNumber"],
                "CurrencyCode": "USD",
                "SalesOrderStatus": "Backorder",
                "SalesOrderProcessingStatus": "Active",
                "OrderTotalChargesAmount": 0,
                "OrderTotalTaxAmount": 0,
                "TotalDiscountAmount": 0,
                **values,
                "dataAreaId": area,
                "SalesOrderNumber": number,
                "OrderCreationDateTime": timestamp(self.clock()),
            }
            header["OrderTotalAmount"] = order_total(header, [])
            self.headers[(area, number)] = header
            self._stamp("header", header)
            return dict(header)

    def create_line(self, body: Mapping[str, Any]) -> Entity:
        """Add a line to an existing order; F&O generates the InventoryLotId (the line's key)."""
        check_fields(body, STORE_LINE_FIELDS, "SalesOrderLine")
        values = _present(body)
        with self.lock:
            area = str(values.get("dataAreaId") or self.default_company).lower()
            header = self._open_header(area, str(values.get("SalesOrderNumber")))
            if not values.get("ItemNumber") or not values.get("OrderedSalesQuantity"):
                raise EntityError(400, "ItemNumber and OrderedSalesQuantity must be specified")
            self._check_released(str(values["ItemNumber"]), area)
            siblings = self.order_lines(area, header["SalesOrderNumber"])
            sequence = int(values.get("LineCreationSequenceNumber") or _next_sequence(siblings))
            if any(line["LineCreationSequenceNumber"] == sequence for line in siblings):
                raise EntityError(400, f"Line {sequence} already exists on the sales order")
            lot = f"{area.upper()}-{next(self._lots):08d}"
            line: Entity = {
                "LineNumber": len(siblings) + 1,
                "SalesUnitSymbol": "ea",
                "SalesPrice": 0,
                "LineDiscountAmount": 0,
                **values,
                "dataAreaId": area,
                "InventoryLotId": lot,
                "LineCreationSequenceNumber": sequence,
                "CurrencyCode": header["CurrencyCode"],
                "SalesOrderLineStatus": "Backorder",
            }
            line["LineAmount"] = line_amount(line)
            self._add_line(line)
            self._stamp("line", line)
            self._retotal(header)
            return dict(line)

    def update_header(
        self, area: str, number: str, changes: Mapping[str, Any], if_match: str | None = None
    ) -> Entity:
        """Change a header's properties; 412 when `if_match` is not its current ETag."""
        check_fields(changes, HEADER_FIELDS, "SalesOrderHeaderV2")
        with self.lock:
            header = self.header(area, number)
            _check_version(header, if_match)
            if _merge(header, changes):
                lines = self.order_lines(header["dataAreaId"], number)
                header["OrderTotalAmount"] = order_total(header, lines)
                self._stamp("header", header)
            return dict(header)

    def update_line(
        self, area: str, lot: str, changes: Mapping[str, Any], if_match: str | None = None
    ) -> Entity:
        """Change a line's properties; 412 when `if_match` is not its current ETag."""
        check_fields(changes, STORE_LINE_FIELDS, "SalesOrderLine")
        with self.lock:
            line = self.line(area, lot)
            _check_version(line, if_match)
            item = changes.get("ItemNumber")
            if item is not None and item != line.get("ItemNumber"):
                self._check_released(str(item), line["dataAreaId"])
            if _merge(line, changes):
                line["LineAmount"] = line_amount(line)
                self._stamp("line", line)
                self._retotal(self.header(line["dataAreaId"], line["SalesOrderNumber"]))
            return dict(line)

    def order_lines(self, area: str, number: str) -> list[Entity]:
        """The lines of one order in creation order (`area` as stored: lower case)."""
        with self.lock:
            return [self.lines[key] for key in self._lines_of.get((area, number), ())]

    def find_line_at(self, area: str, number: str, sequence: int) -> Entity | None:
        """The line with this creation sequence number on an order, if any (`area` as stored)."""
        with self.lock:
            key = self._line_at.get((area, number, sequence))
            return None if key is None else self.lines[key]

    def header(self, area: str, number: str) -> Entity:
        """The header with this key (404 EntityError if absent)."""
        found = self.headers.get((area.lower(), number))
        if found is None:
            raise EntityError(404, f"No SalesOrderHeaderV2 ({area}, {number})")
        return found

    def line(self, area: str, lot: str) -> Entity:
        """The line with this InventoryLotId (404 EntityError if absent)."""
        found = self.lines.get((area.lower(), lot))
        if found is None:
            raise EntityError(404, f"No SalesOrderLine ({area}, {lot})")
        return found

    def line_at(self, area: str, number: str, sequence: int) -> Entity:
        """The line with this creation sequence number on an order (404 EntityError if absent)."""
        found = self.find_line_at(area.lower(), number, sequence)
        if found is not None:
            return found
        raise EntityError(404, f"No sales order line ({area}, {number}, {sequence})")

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
                self._stamp("line", line)
            self._stamp("header", header)
            if command == "invoice":
                posted = invoice(header, lines, next(self._invoice_numbers), self.clock())
                self._stamp("invoice", posted)
                self.invoices.append(posted)
            return event, dict(header), [dict(line) for line in lines]

    def _add_line(self, line: Entity) -> None:
        """Store a line and index it (under the lock); a line's key properties never change."""
        area, number = line["dataAreaId"], line["SalesOrderNumber"]
        key = (area, line["InventoryLotId"])
        self.lines[key] = line
        self._lines_of.setdefault((area, number), []).append(key)
        self._line_at[(area, number, int(line["LineCreationSequenceNumber"]))] = key

    def _open_header(self, area: str, number: str) -> Entity:
        header = self.headers.get((area, number))
        if header is None:
            raise EntityError(400, f"Sales order {number} does not exist")
        if header["SalesOrderProcessingStatus"] in ("Invoiced", "Canceled"):
            raise EntityError(400, f"Sales order {number} is closed")
        return header

    def _check_released(self, item: str, area: str) -> None:
        if item in self.unreleased:
            raise EntityError(400, f"Item {item} is not released to company {area}")

    def _next_number(self, area: str) -> str:
        sequence = self._numbers.setdefault(area, itertools.count(1))
        while True:  # a client may have taken a number with an explicit SalesOrderNumber
            number = f"SO-{next(sequence):06d}"
            if (area, number) not in self.headers:
                return number

    def _retotal(self, header: Entity) -> None:
        lines = self.order_lines(header["dataAreaId"], header["SalesOrderNumber"])
        total = order_total(header, lines)
        if total != header.get("OrderTotalAmount"):
            header["OrderTotalAmount"] = total
            self._stamp("header", header)

    def _stamp(self, kind: str, row: Entity) -> None:
        row["@odata.etag"] = f'W/"{next(self._versions)}"'
        row["ModifiedDateTime"] = modified_stamp(self.clock())
        if self.on_change is not None and kind != "invoice":
            self.on_change(kind, dict(row))


def _present(body: Mapping[str, Any]) -> Entity:
    """A create body without its nulls: on create, null and absent mean the same to F&O."""
    return {name: value for name, value in body.items() if value is not None}


def _next_sequence(siblings: list[Entity]) -> int:
    return max((int(line["LineCreationSequenceNumber"]) for line in siblings), default=0) + 1


def _check_version(row: Entity, if_match: str | None) -> None:
    """412 unless `if_match` is absent, `*`, or names the row's current ETag."""
    if if_match is None or if_match.strip() == "*":
        return
    if row["@odata.etag"] not in (tag.strip() for tag in if_match.split(",")):
        raise EntityError(412, "The record was changed by another user since it was read")


def _merge(row: Entity, changes: Mapping[str, Any]) -> bool:
    """Write the changes into the row; True when a value changed. Keys never move."""
    changed = False
    for name, value in changes.items():
        if name in _IMMUTABLE:
            if str(value).lower() != str(row.get(name)).lower():
                raise EntityError(400, f"The key property '{name}' cannot be changed")
            continue
        if row.get(name) != value:
            row[name] = value
            changed = True
    return changed
