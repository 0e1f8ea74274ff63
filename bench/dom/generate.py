"""A seeded, reproducible DOM instance: sources over a region, scarce stock, orders."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from domain.inventory.sources import FulfillmentSource, GeoPoint
from domain.sourcing import PlanningLine, PlanningRequest

# A box about 1,000 km on each side around the middle of the continental US.
CENTRE_LAT, CENTRE_LON = 39.5, -98.0
HALF_LAT, HALF_LON = 4.5, 5.8  # degrees: 4.5 deg lat ~ 500 km, 5.8 deg lon at 39.5N ~ 500 km
AT = datetime(2024, 5, 1, 15, 0, tzinfo=UTC)  # a Wednesday, before any cut-off


@dataclass(frozen=True)
class Instance:
    """Sources, stock (each order is planned against this same fresh stock) and orders."""

    sources: list[FulfillmentSource]
    stock: dict[tuple[str, str], Decimal]
    orders: list[PlanningRequest]


@dataclass(frozen=True)
class Shape:
    """How big the instance is."""

    sources: int = 50
    products: int = 2000
    orders: int = 1000
    max_lines: int = 20
    seed: int = 20240501


def generate(shape: Shape) -> Instance:
    """Build the instance from the shape's seed; the same shape gives the same instance."""
    rng = random.Random(shape.seed)
    sources = [_source(rng, i) for i in range(1, shape.sources + 1)]
    products = [f"P{i:04d}" for i in range(1, shape.products + 1)]
    stock = _stock(rng, sources, products)
    orders = [_order(rng, i, products, shape.max_lines) for i in range(1, shape.orders + 1)]
    return Instance(sources, stock, orders)


def _point(rng: random.Random) -> GeoPoint:
    return GeoPoint(
        latitude=CENTRE_LAT + rng.uniform(-HALF_LAT, HALF_LAT),
        longitude=CENTRE_LON + rng.uniform(-HALF_LON, HALF_LON),
    )


def _source(rng: random.Random, number: int) -> FulfillmentSource:
    sid = f"S{number:02d}"
    return FulfillmentSource(
        source_id=sid, name=f"Site {sid}", location=_point(rng), priority=rng.randint(1, 10)
    )


def _stock(
    rng: random.Random, sources: list[FulfillmentSource], products: list[str]
) -> dict[tuple[str, str], Decimal]:
    # Each product sits at a few sources (often 2-8, sometimes one, rarely many) in small
    # quantities, so an order line of up to 12 often needs several sources or falls short.
    stock: dict[tuple[str, str], Decimal] = {}
    for product in products:
        holders = min(len(sources), 1 + int(rng.expovariate(1 / 5)))
        for source in rng.sample(sources, holders):
            stock[(source.source_id, product)] = Decimal(rng.randint(1, 8))
    return stock


def _order(rng: random.Random, number: int, products: list[str], max_lines: int) -> PlanningRequest:
    count = rng.randint(1, max_lines)
    lines = [
        PlanningLine(line_id=f"{n}", product_id=product, quantity=Decimal(rng.randint(1, 12)))
        for n, product in enumerate(rng.sample(products, count), start=1)
    ]
    return PlanningRequest(order_id=f"O{number:04d}", ship_to=_point(rng), lines=lines, at=AT)
