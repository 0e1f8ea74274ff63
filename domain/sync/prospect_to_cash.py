"""Prospect-to-cash with Dynamics 365 Sales: the hub's option values and value-map tables.

The Prospect-to-cash solution adds a "Processing status" choice to the Sales order with the
labels below, but no public reference gives their integer values. `SALES_PROCESSING_STATUS` is
the hub's choice (the Sales simulator uses the same values); the shipped template maps in
`sync/maps/` hold the same numbers, and a test keeps the two in step.
"""

from __future__ import annotations

from domain.orders.model import ProcessingStatus

SALES_PROCESSING_STATUS: dict[str, int] = {
    "Draft": 192350000,
    "Active": 192350001,
    "Confirmed": 192350002,
    "Packing Slip": 192350003,
    "Invoiced": 192350004,
    "Picked": 192350005,
    "Partially Picked": 192350006,
    "Partially Packed": 192350007,
    "Shipped": 192350008,
    "Partially Shipped": 192350009,
    "Partially Invoiced": 192350010,
    "Cancelled": 192350011,
}

# The F&O processing status a hub order carries -> the Sales label it shows. F&O has no
# Draft, Active-in-Sales, partial picking or packing states; "Delivered" (packing slip posted
# for everything) reads as Shipped, and delivered-partially-invoiced as Partially Invoiced.
SALES_STATUS_OF: dict[ProcessingStatus, str] = {
    ProcessingStatus.ACTIVE: "Active",
    ProcessingStatus.CONFIRMED: "Confirmed",
    ProcessingStatus.PICKED: "Picked",
    ProcessingStatus.PARTIALLY_DELIVERED: "Partially Shipped",
    ProcessingStatus.DELIVERED: "Shipped",
    ProcessingStatus.INVOICED: "Invoiced",
    ProcessingStatus.PARTIALLY_INVOICED: "Partially Invoiced",
    ProcessingStatus.CANCELED: "Cancelled",
    ProcessingStatus.DELIVERED_PARTIALLY_INVOICED: "Partially Invoiced",
}

# Sales orders the "Sales to Fin and Ops" template takes: activated ones (Draft stays in Sales).
SALES_ACTIVE = SALES_PROCESSING_STATUS["Active"]

DEFAULT_PRICE_LIST = "CRM Service USA (sample)"
FREIGHT_TAX_SEQUENCE = 9999  # the Freight Tax write-in line sorts after every real line

# Hub (and F&O) unit symbol <-> Sales unit name. Units must exist on both sides: a unit that
# is not listed is a sync error, never a guess.
SALES_UNITS: dict[str, str] = {
    "ea": "Each",
    "pcs": "Piece",
    "box": "Box",
    "kg": "Kilogram",
    "g": "Gram",
    "lb": "Pound",
    "l": "Liter",
    "m": "Meter",
    "h": "Hour",
    "set": "Set",
    "pack": "Pack",
    "dz": "Dozen",
}
