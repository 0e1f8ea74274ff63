"""Another system's order as the hub takes it in: the target filter, and a PlaceOrder-shaped dict.

A create-back map (Prospect-to-cash "Sales to Fin and Ops") brings an order made in another
system to the hub. Its records, turned into the hub's column names by `apply_back`, become the
fields of a PlaceOrder command through the table that writes changes back (`ORDER_WRITES`,
`LINE_WRITES`), so a column means the same in both cases. Only the fields intake takes are
filled: readiness (`msdyn_isreadytosync`), totals and tax are for the hub's policies and jobs to
work out, as for any new order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from domain.filters import FilterValue, compile_filter
from domain.sync.columns import Writable, decimal
from domain.sync.maps import SyncMap
from domain.sync.records import LINE_WRITES, ORDER_WRITES
from domain.sync.values import canonical

Record = Mapping[str, FilterValue]

# The PlaceOrder (and OrderLineInput) fields a record may fill; a test keeps them in step.
ORDER_FIELDS = frozenset(
    {
        "company", "order_number", "customer_id", "invoice_customer_id", "currency",
        "customer_order_reference", "sales_origin", "order_type", "processing_status",
        "requested_delivery_date", "ship_to", "bill_to", "customer_externally_maintained",
        "invoice_customer_externally_maintained",
    }
)  # fmt: skip
LINE_FIELDS = frozenset(
    {
        "product_id", "write_in_product", "description", "quantity", "unit", "unit_price",
        "discount", "tax", "requested_delivery_date",
    }
)  # fmt: skip
SEQUENCE = "sequencenumber"  # the hub's line number column, the order lines are taken in


def admits_back(sync_map: SyncMap, record: Record) -> bool:
    """True when the target record passes the map's target filter (no filter admits all)."""
    if sync_map.target_filter is None:
        return True
    return compile_filter(sync_map.target_filter).matches(record)


def external_id(key: Record) -> str:
    """The id a target key gives a record: its values in key order joined by `/`."""
    return "/".join(canonical(value) for value in key.values())


def placement(
    channel: str, external_order_id: str, header: Record, lines: Sequence[tuple[str, Record]]
) -> dict[str, Any]:
    """PlaceOrder fields for a header and its (external line id, line) records, hub-named.

    SyncError when a value cannot be read (a date that is no date, say); what PlaceOrder needs
    and does not get (no customer, no line) is left for its validation to name.
    """
    order = _fields(ORDER_WRITES, ORDER_FIELDS, header)
    bill_to = order.get("bill_to")
    if isinstance(bill_to, dict) and set(bill_to) <= {"country"}:
        # The country value map turns blank into its default, so every address has a country;
        # a bill-to with nothing else was never filled in.
        del order["bill_to"]
    ordered = sorted(lines, key=lambda line: _sequence(line[1]))
    order["lines"] = [
        {"external_line_id": line_id, **_fields(LINE_WRITES, LINE_FIELDS, record)}
        for line_id, record in ordered
    ]
    return {"channel": channel, "external_order_id": external_order_id, **order}


def _fields(
    table: Mapping[str, Writable], allowed: frozenset[str], record: Record
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, value in record.items():
        writable = table.get(column)
        if writable is None or writable.path[0] not in allowed:
            continue
        parsed = writable.parse(value)
        if parsed is None:
            continue  # blank: the command's default, or its validation when required
        target = out
        for name in writable.path[:-1]:
            target = target.setdefault(name, {})
        target[writable.path[-1]] = parsed
    return out


def _sequence(record: Record) -> tuple[bool, Decimal]:
    number = decimal(record.get(SEQUENCE))
    return number is None, number or Decimal(0)
