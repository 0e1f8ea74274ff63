"""Inputs and output of the fulfillment optimizer (IOM F4-F8): strategy, snapshot, plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from domain.inventory.sources import FulfillmentSource, GeoPoint, SourceList


class SourcingModel(BaseModel):
    """Base for sourcing models: camelCase on the wire, unknown fields refused, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class ConstraintKind(StrEnum):
    """The constraint types of IOM's fulfillment and returns optimization (F4)."""

    MAX_DISTANCE = "Maximum distance"
    NO_PARTIAL_ORDER = "Restrict partial fulfillment of orders"
    MAX_SOURCES_PER_ORDER = "Limit number of warehouses per order"
    MAX_SOURCES_PER_LINE = "Limit number of warehouses per order line"
    RESPECT_CUTOFF = "Respect warehouse timings"
    DAILY_CAPACITY = "Maximum order lines"
    SAFETY_STOCK = "Safety stock constraint"


_COUNTED = {ConstraintKind.MAX_SOURCES_PER_ORDER, ConstraintKind.MAX_SOURCES_PER_LINE}


class Constraint(SourcingModel):
    """One constraint of a strategy; soft ones are dropped in the second pass (F5)."""

    kind: ConstraintKind
    enabled: bool = True
    hard: bool = True
    value: int | Decimal | None = None

    @model_validator(mode="after")
    def _value_fits_kind(self) -> Self:
        if self.kind in _COUNTED:
            if not isinstance(self.value, int) or self.value < 1:
                raise ValueError(f"{self.kind} needs a whole number of sources of at least 1")
        elif self.kind is ConstraintKind.MAX_DISTANCE:
            if self.value is not None and self.value <= 0:
                raise ValueError("maximum distance must be above 0 km")
        elif self.value is not None:
            raise ValueError(f"{self.kind} takes no value")
        return self


class Strategy(SourcingModel):
    """A fulfillment strategy (F7): where to source from, under which constraints."""

    name: str = Field(min_length=1, max_length=100)
    source_list: SourceList
    is_default: bool = False
    alternate: str | None = None
    constraints: list[Constraint] = Field(default_factory=list)
    # Cost of each source beyond the first, in km x units: how much distance one fewer
    # shipment is worth to the merchant.
    extra_source_penalty: Decimal = Field(default=Decimal(0), ge=0)


class PlanningLine(SourcingModel):
    """One order line to source; no product id means a write-in product."""

    line_id: str = Field(min_length=1)
    product_id: str | None = None
    quantity: Decimal


class PlanningRequest(SourcingModel):
    """An order to source: where it ships to, its lines and when it is planned."""

    order_id: str = Field(min_length=1)
    ship_to: GeoPoint | None = None
    lines: list[PlanningLine]
    at: datetime

    @model_validator(mode="after")
    def _unique_lines(self) -> Self:
        ids = [line.line_id for line in self.lines]
        if len(ids) != len(set(ids)):
            raise ValueError("line ids must be unique within the order")
        return self


@dataclass(frozen=True)
class Snapshot:
    """Sources and stock at planning time; `available` is on hand less reserved, keyed by
    (source id, product id), before safety stock."""

    sources: list[FulfillmentSource]
    available: Mapping[tuple[str, str], Decimal]
    lines_planned_today: Mapping[str, int] = field(default_factory=dict)


class LineSourcing(StrEnum):
    """The fulfillment type a plan records per line (F8)."""

    FULLY_SOURCED = "Fully sourced"
    PARTIALLY_SOURCED = "Partially sourced"
    NOT_SOURCED = "Not sourced"
    EXCEPTION = "Exception"


class Allocation(SourcingModel):
    """A quantity of a line shipped from one source; distance is None without a ship-to."""

    source_id: str
    quantity: Decimal
    distance_km: Decimal | None


class LinePlan(SourcingModel):
    """How one line is sourced, with the reasons behind every choice and exclusion."""

    line_id: str
    product_id: str | None
    requested: Decimal
    status: LineSourcing
    allocations: list[Allocation]
    unfilled: Decimal
    reasons: list[str]


class FulfillmentPlan(SourcingModel):
    """The optimizer's answer for one order: one fulfillment order per source in `sources_used`."""

    order_id: str
    strategy: str
    lines: list[LinePlan]
    total_cost: Decimal
    sources_used: list[str]
    passes: int
