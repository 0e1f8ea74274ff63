"""Builders for the sourcing tests: sources placed a given distance due north of the ship-to."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from math import degrees

from domain.inventory.sources import FulfillmentSource, GeoPoint, SourceList
from domain.sourcing import (
    Constraint,
    ConstraintKind,
    FulfillmentPlan,
    LinePlan,
    PlanningLine,
    PlanningRequest,
    Snapshot,
    Strategy,
    plan_fulfillment,
)
from domain.sourcing.distance import EARTH_RADIUS_KM

K = ConstraintKind
SHIP_TO = GeoPoint(latitude=0.0, longitude=0.0)
AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)  # a Wednesday, noon UTC


def source(sid: str, km: float, **fields: object) -> FulfillmentSource:
    """A source `km` kilometres due north of the ship-to (so its distance is exactly `km`)."""
    point = GeoPoint(latitude=degrees(km / EARTH_RADIUS_KM), longitude=0.0)
    return FulfillmentSource(source_id=sid, name=sid, location=point, **fields)


def rule(kind: ConstraintKind, value=None, hard=True, enabled=True) -> Constraint:
    return Constraint(kind=kind, value=value, hard=hard, enabled=enabled)


def strategy(
    *constraints: Constraint,
    ids=("A", "B", "C"),
    penalty=0,
    name="Default",
    alternate=None,
    list_max=None,
) -> Strategy:
    listed = SourceList(name=f"{name} list", source_ids=list(ids), max_distance_km=list_max)
    return Strategy(
        name=name,
        source_list=listed,
        constraints=list(constraints),
        extra_source_penalty=Decimal(penalty),
        alternate=alternate,
    )


def request(*lines: tuple[str, str | None, int | str], ship_to=SHIP_TO, at=AT) -> PlanningRequest:
    return PlanningRequest(
        order_id="O-1",
        ship_to=ship_to,
        lines=[PlanningLine(line_id=i, product_id=p, quantity=Decimal(q)) for i, p, q in lines],
        at=at,
    )


def snapshot(sources, stock: dict[tuple[str, str], int], today=None) -> Snapshot:
    available = {key: Decimal(qty) for key, qty in stock.items()}
    return Snapshot(sources=list(sources), available=available, lines_planned_today=today or {})


def plan(req, snap, strat, strategies=None) -> FulfillmentPlan:
    return plan_fulfillment(req, snap, strat, strategies)


def line(result: FulfillmentPlan, line_id: str = "1") -> LinePlan:
    return next(lp for lp in result.lines if lp.line_id == line_id)


def takes(result: FulfillmentPlan, line_id: str = "1") -> list[tuple[str, int]]:
    """Allocations of a line as (source, whole quantity) pairs."""
    return [(a.source_id, int(a.quantity)) for a in line(result, line_id).allocations]


def said(result: FulfillmentPlan, text: str, line_id: str = "1") -> bool:
    """True when one of the line's reasons contains the text."""
    return any(text in reason for reason in line(result, line_id).reasons)
