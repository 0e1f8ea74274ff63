"""Posting sales documents in the simulated F&O: which status each document moves to.

Confirmation, picking list, packing slip and invoice move `SalesOrderProcessingStatus`,
`SalesOrderStatus` and the line statuses the way the dual-write sales-status map describes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from simulators.fno.fields import Entity, decimal, money

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


def timestamp(moment: datetime) -> str:
    """An Edm.DateTimeOffset as F&O writes it (UTC, `Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def modified_stamp(moment: datetime) -> str:
    """A ModifiedDateTime: UTC to the millisecond, so polling cursors rarely see a tie."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def invoice(header: Entity, lines: Sequence[Entity], sequence: int, now: datetime) -> Entity:
    """The SalesInvoiceHeadersV2 row that invoicing the whole order posts."""
    amounts = sum((decimal(line["LineAmount"]) for line in lines), Decimal(0))
    # Line sales charges (a discount's rounding remainder, say) are invoiced with the lines.
    charges = sum((decimal(line.get("FixedPriceCharges")) for line in lines), Decimal(0))
    row: dict[str, Any] = {
        "dataAreaId": header["dataAreaId"],
        "InvoiceNumber": f"CIV-{sequence:06d}",
        "InvoiceDate": timestamp(now),
        "LedgerVoucher": f"ARI-{sequence:06d}",
        "SalesOrderNumber": header["SalesOrderNumber"],
        "CustomersOrderReference": header.get("CustomersOrderReference"),
        "InvoiceCustomerAccountNumber": header["InvoiceCustomerAccountNumber"],
        "CurrencyCode": header["CurrencyCode"],
        "TotalInvoiceAmount": money(amounts + charges),
        "TotalTaxAmount": 0,
        "TotalChargeAmount": money(charges),
        "TotalDiscountAmount": 0,
    }
    return row
