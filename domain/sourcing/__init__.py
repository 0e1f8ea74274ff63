"""Distributed order management: choose fulfillment sources for an order's lines (IOM F4-F8)."""

from domain.sourcing.model import (
    Allocation,
    Constraint,
    ConstraintKind,
    FulfillmentPlan,
    LinePlan,
    LineSourcing,
    PlanningLine,
    PlanningRequest,
    Snapshot,
    Strategy,
)
from domain.sourcing.planner import plan_fulfillment

__all__ = [
    "Allocation",
    "Constraint",
    "ConstraintKind",
    "FulfillmentPlan",
    "LinePlan",
    "LineSourcing",
    "PlanningLine",
    "PlanningRequest",
    "Snapshot",
    "Strategy",
    "plan_fulfillment",
]
