"""Fulfillment strategies and what-if plans (function-key protected)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import azure.functions as func
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from bootstrap.container import get_container
from domain.inventory.sources import GeoPoint
from domain.sourcing.model import FulfillmentPlan, PlanningLine, Strategy
from functions._http import BadRequest, handle_errors, json_response, parse_body
from services.fulfillment_lines import open_quantity
from services.orders.operations import get_order
from services.strategies import Strategies

bp = func.Blueprint()


class PlanLine(BaseModel):
    """A line to plan: product (None for a write-in) and quantity."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    line_id: str = Field(min_length=1, max_length=20)
    product_id: str | None = Field(default=None, min_length=1, max_length=100)
    quantity: Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=6)]


class PlanRequest(BaseModel):
    """Plan an existing order (`orderId`) or ad-hoc lines shipped to `shipTo`."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    order_id: str | None = Field(default=None, min_length=1, max_length=100)
    ship_to: GeoPoint | None = None
    lines: list[PlanLine] | None = Field(default=None, min_length=1, max_length=1000)
    strategy: str | None = Field(default=None, max_length=100)


@bp.function_name("plan_fulfillment")
@bp.route(route="fulfillment/plan", methods=["POST"])
@handle_errors
def plan(req: func.HttpRequest) -> func.HttpResponse:
    """What-if: the optimizer's plan (with its reasons) for an order or lines; reserves nothing."""
    if req.params.get("dry_run", "true").lower() != "true":
        message = "only what-if plans are served here (dry_run=true); an order's flow reserves"
        raise BadRequest(400, "InvalidRequest", message, "dry_run")
    body = parse_body(req, PlanRequest)
    return json_response(_plan(body).model_dump(mode="json", by_alias=True))


def _plan(body: PlanRequest) -> FulfillmentPlan:
    container = get_container()
    if body.order_id is not None:
        order = get_order(container.engine, body.order_id)
        open_quantities = {
            line.line_id: open_quantity(order, line) for line in order.active_lines()
        }
        return container.planner.plan(order, {k: v for k, v in open_quantities.items() if v > 0})
    if not body.lines:
        raise BadRequest(400, "InvalidRequest", "give orderId, or lines (and shipTo)", "lines")
    lines = [
        PlanningLine(line_id=line.line_id, product_id=line.product_id, quantity=line.quantity)
        for line in body.lines
    ]
    return container.planner.plan_lines("what-if", body.ship_to, lines, body.strategy)


def _strategies() -> Strategies:
    return Strategies(get_container().planner.strategies)


def _body(strategy: Strategy) -> dict[str, object]:
    return strategy.model_dump(mode="json", by_alias=True)


@bp.function_name("create_strategy")
@bp.route(route="strategies", methods=["POST"])
@handle_errors
def create_strategy(req: func.HttpRequest) -> func.HttpResponse:
    """Create a fulfillment strategy (201)."""
    strategy = _strategies().create(parse_body(req, Strategy))
    return json_response(_body(strategy), 201)


@bp.function_name("list_strategies")
@bp.route(route="strategies", methods=["GET"])
@handle_errors
def list_strategies(req: func.HttpRequest) -> func.HttpResponse:
    """Every fulfillment strategy."""
    return json_response({"strategies": [_body(s) for s in _strategies().list()]})


@bp.function_name("get_strategy")
@bp.route(route="strategies/{name}", methods=["GET"])
@handle_errors
def get_strategy(req: func.HttpRequest) -> func.HttpResponse:
    """One fulfillment strategy."""
    return json_response(_body(_strategies().get(req.route_params["name"])))


@bp.function_name("replace_strategy")
@bp.route(route="strategies/{name}", methods=["PUT"])
@handle_errors
def replace_strategy(req: func.HttpRequest) -> func.HttpResponse:
    """Replace a strategy's source list, constraints, default flag or alternate."""
    strategy = _strategies().replace(req.route_params["name"], parse_body(req, Strategy))
    return json_response(_body(strategy))


@bp.function_name("delete_strategy")
@bp.route(route="strategies/{name}", methods=["DELETE"])
@handle_errors
def delete_strategy(req: func.HttpRequest) -> func.HttpResponse:
    """Delete a strategy that is nobody's alternate."""
    _strategies().delete(req.route_params["name"])
    return func.HttpResponse(status_code=204)
