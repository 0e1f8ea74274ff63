"""Fulfillment's view of inventory and incoming supply, over the inventory and purchasing cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Protocol

from domain.inventory.sources import FulfillmentSource
from domain.purchasing.common import IncomingSupply
from services.errors import NotFound
from services.fulfillment import Allocation, Reserved
from services.inventory import Inventory, ProductAvailability
from services.inventory_ports import ReservationRequest


class IncomingQuery(Protocol):
    """Open purchase and transfer order lines of a product."""

    def incoming(self, product_id: str) -> list[IncomingSupply]:
        """Open lines, soonest expected first."""
        ...


@dataclass
class InventoryStockKeeper:
    """Implements StockKeeper: reservations by reference, checks, sources, next supply date."""

    inventory: Inventory
    purchasing: IncomingQuery

    def reserve_allocations(self, allocations: Sequence[Allocation]) -> list[Reserved]:
        """Reserve each stocked allocation under its reference; write-ins need no stock."""
        requests = [
            ReservationRequest(a.reference, a.source_id, a.product_id, a.quantity)
            for a in allocations
            if a.product_id is not None
        ]
        results = {r.reference: r.reserved for r in self.inventory.reserve(requests)}
        return [
            Reserved(a, a.quantity if a.product_id is None else results[a.reference])
            for a in allocations
        ]

    def release_references(self, references: Sequence[str]) -> None:
        """Give back what each reference holds (unknown references hold nothing)."""
        for reference in references:
            self.inventory.release(reference)

    def check(self, allocations: Sequence[Allocation]) -> list[Reserved]:
        """Available quantity for each allocation, capped at what it asks, reserving nothing."""
        products = sorted({a.product_id for a in allocations if a.product_id is not None})
        sources = sorted({a.source_id for a in allocations})
        available = self.inventory.availability_map(products, sources)
        return [
            Reserved(
                a,
                a.quantity
                if a.product_id is None
                else min(a.quantity, available.get((a.source_id, a.product_id), Decimal(0))),
            )
            for a in allocations
        ]

    def earliest_supply(self, product_id: str) -> datetime | None:
        """When the next open purchase or transfer order line of the product is expected."""
        dates = [
            s.expected_date
            for s in self.purchasing.incoming(product_id)
            if s.expected_date is not None and s.quantity_remaining > 0
        ]
        return datetime.combine(min(dates), time(), UTC) if dates else None

    def sources(self) -> dict[str, FulfillmentSource]:
        """Every fulfillment source by id."""
        return {s.source_id: s for s in self.inventory.sources.list()}


@dataclass
class ReceiptsToInventory:
    """Implements purchasing's ReceiptListener: received goods become on-hand stock."""

    inventory: Inventory

    def received(self, warehouse: str, product_id: str, quantity: Decimal, reference: str) -> None:
        """Add the stock at the source that ships from this warehouse (or has its id)."""
        source = self._source_for(warehouse)
        self.inventory.receive(source.source_id, product_id, quantity, reference)

    def _source_for(self, warehouse: str) -> FulfillmentSource:
        sources = self.inventory.sources.list()
        for source in sources:
            if warehouse in (source.shipping_warehouse, source.source_id):
                return source
        raise NotFound(f"no fulfillment source ships from warehouse {warehouse!r}")


@dataclass(frozen=True)
class ProductSupply:
    """A product's availability per source and the supply still to come."""

    availability: ProductAvailability
    incoming: list[IncomingSupply]


def product_supply(
    inventory: Inventory, purchasing: IncomingQuery, product_id: str
) -> ProductSupply:
    """On hand, reserved and available per source, plus open purchase and transfer order lines."""
    return ProductSupply(inventory.availability(product_id), purchasing.incoming(product_id))
