"""The operators' inventory and fulfillment source API (function-key protected).

PUT /api/inventory/{source_id}/{product_id} sets (`onHand`) or changes (`adjustBy`) a source's
stock; an unknown source is a 404, like every unknown id in a URL. Quantities are exact
decimals: they arrive as JSON numbers or strings and leave as strings, as in orders.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import azure.functions as func
from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic.alias_generators import to_camel

from bootstrap.container import get_container
from domain.inventory.sources import FulfillmentSource, SourceList
from domain.inventory.stock import StockBalance
from domain.purchasing.common import IncomingSupply
from functions._http import BadRequest, handle_errors, json_response, parse_body
from services.inventory import ProductAvailability
from services.stock_keeper import product_supply

bp = func.Blueprint()

M = TypeVar("M", bound=BaseModel)

Quantity = Annotated[Decimal, Field(max_digits=15, decimal_places=6, allow_inf_nan=False)]


class ApiModel(BaseModel):
    """Base for this API's bodies: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class StockUpdate(ApiModel):
    """Exactly one of `onHand` (set it) and `adjustBy` (change it); `reference` makes it once."""

    on_hand: Annotated[Quantity, Field(ge=0)] | None = None
    adjust_by: Quantity | None = None
    reference: str | None = Field(default=None, min_length=1, max_length=100)

    def change(self) -> tuple[Decimal, bool]:
        """(quantity, whether it sets on hand rather than adjusting it), else a 400."""
        if self.on_hand is not None and self.adjust_by is None:
            return self.on_hand, True
        if self.adjust_by is not None and self.on_hand is None:
            return self.adjust_by, False
        raise BadRequest(400, "InvalidRequest", "give exactly one of onHand and adjustBy", "onHand")


class StockLevel(ApiModel):
    """A product's stock at one source."""

    source_id: str
    product_id: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    updated_at: datetime | None = None


class SourceStock(ApiModel):
    """One source's share of a product's availability."""

    source_id: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal


class ProductStock(ApiModel):
    """A product's availability (ATP on hand) per source and in total, and incoming supply."""

    product_id: str
    per_source: list[SourceStock]
    total_available: Decimal
    incoming: list[IncomingSupply] = []
    total_incoming: Decimal = Decimal(0)


class _JsonObject(RootModel[dict[str, Any]]):
    """Any JSON object, checked against a model once the URL's id is merged in."""


# Stock


@bp.function_name("update_stock")
@bp.route(route="inventory/{source_id}/{product_id}", methods=["PUT"])
@handle_errors
def update_stock(req: func.HttpRequest) -> func.HttpResponse:
    """Set or adjust the on-hand quantity of a product at a source: the new balance."""
    update = parse_body(req, StockUpdate)
    source_id, product_id = req.route_params["source_id"], req.route_params["product_id"]
    quantity, absolute = update.change()
    inventory = get_container().inventory
    apply = inventory.set_stock if absolute else inventory.adjust_stock
    balance = apply(source_id, product_id, quantity, update.reference)
    return json_response(_level(balance))


@bp.function_name("get_stock")
@bp.route(route="inventory/{product_id}", methods=["GET"])
@handle_errors
def get_stock(req: func.HttpRequest) -> func.HttpResponse:
    """A product's on hand, reserved and available per source, and its total available."""
    container = get_container()
    supply = product_supply(
        container.inventory, container.purchasing, req.route_params["product_id"]
    )
    return json_response(_availability(supply.availability, supply.incoming))


# Sources


@bp.function_name("create_source")
@bp.route(route="sources", methods=["POST"])
@handle_errors
def create_source(req: func.HttpRequest) -> func.HttpResponse:
    """Create a fulfillment source: 201 with the source and its Location (409 if the id exists)."""
    source = get_container().sources.create_source(parse_body(req, FulfillmentSource))
    return _created(req, f"sources/{source.source_id}", _dump(source))


@bp.function_name("list_sources")
@bp.route(route="sources", methods=["GET"])
@handle_errors
def list_sources(req: func.HttpRequest) -> func.HttpResponse:
    """Every fulfillment source, by id."""
    return json_response({"sources": [_dump(s) for s in get_container().sources.list_sources()]})


@bp.function_name("get_source")
@bp.route(route="sources/{source_id}", methods=["GET"])
@handle_errors
def get_source(req: func.HttpRequest) -> func.HttpResponse:
    """The fulfillment source."""
    return json_response(_dump(get_container().sources.source(req.route_params["source_id"])))


@bp.function_name("replace_source")
@bp.route(route="sources/{source_id}", methods=["PUT"])
@handle_errors
def replace_source(req: func.HttpRequest) -> func.HttpResponse:
    """Replace a source's settings; the body's sourceId, if given, must be the URL's."""
    source = _body_for(req, FulfillmentSource, "sourceId", req.route_params["source_id"])
    return json_response(_dump(get_container().sources.replace_source(source)))


@bp.function_name("delete_source")
@bp.route(route="sources/{source_id}", methods=["DELETE"])
@handle_errors
def delete_source(req: func.HttpRequest) -> func.HttpResponse:
    """Delete a source that no source list names: 204 (409 while a list names it)."""
    get_container().sources.delete_source(req.route_params["source_id"])
    return func.HttpResponse(status_code=204)


# Source lists


@bp.function_name("create_source_list")
@bp.route(route="source-lists", methods=["POST"])
@handle_errors
def create_source_list(req: func.HttpRequest) -> func.HttpResponse:
    """Create a source list of existing sources: 201 with the list and its Location."""
    source_list = get_container().sources.create_list(parse_body(req, SourceList))
    return _created(req, f"source-lists/{quote(source_list.name)}", _dump(source_list))


@bp.function_name("list_source_lists")
@bp.route(route="source-lists", methods=["GET"])
@handle_errors
def list_source_lists(req: func.HttpRequest) -> func.HttpResponse:
    """Every source list, by name."""
    lists = get_container().sources.list_source_lists()
    return json_response({"sourceLists": [_dump(s) for s in lists]})


@bp.function_name("get_source_list")
@bp.route(route="source-lists/{name}", methods=["GET"])
@handle_errors
def get_source_list(req: func.HttpRequest) -> func.HttpResponse:
    """The source list."""
    return json_response(_dump(get_container().sources.source_list(req.route_params["name"])))


@bp.function_name("replace_source_list")
@bp.route(route="source-lists/{name}", methods=["PUT"])
@handle_errors
def replace_source_list(req: func.HttpRequest) -> func.HttpResponse:
    """Replace a source list; the body's name, if given, must be the URL's."""
    source_list = _body_for(req, SourceList, "name", req.route_params["name"])
    return json_response(_dump(get_container().sources.replace_list(source_list)))


@bp.function_name("delete_source_list")
@bp.route(route="source-lists/{name}", methods=["DELETE"])
@handle_errors
def delete_source_list(req: func.HttpRequest) -> func.HttpResponse:
    """Delete a source list: 204."""
    get_container().sources.delete_list(req.route_params["name"])
    return func.HttpResponse(status_code=204)


def _body_for(req: func.HttpRequest, model: type[M], id_field: str, id_value: str) -> M:
    """The body as `model`, its id taken from the URL (a different one in the body is a 400)."""
    body = parse_body(req, _JsonObject).root
    if body.get(id_field, id_value) != id_value:
        message = f"{id_field} {body[id_field]!r} does not match the URL's {id_value!r}"
        raise BadRequest(400, "InvalidRequest", message, id_field)
    return model.model_validate({**body, id_field: id_value})


def _level(balance: StockBalance) -> dict[str, object]:
    level = StockLevel(
        source_id=balance.source_id, product_id=balance.product_id, on_hand=balance.on_hand,
        reserved=balance.reserved, available=balance.available, updated_at=balance.updated_at,
    )  # fmt: skip
    return _dump(level)


def _availability(
    availability: ProductAvailability, incoming: list[IncomingSupply]
) -> dict[str, object]:
    per_source = [
        SourceStock(
            source_id=s.source_id, on_hand=s.on_hand, reserved=s.reserved, available=s.available
        )
        for s in availability.per_source
    ]
    stock = ProductStock(
        product_id=availability.product_id, per_source=per_source,
        total_available=availability.total_available, incoming=incoming,
        total_incoming=sum((i.quantity_remaining for i in incoming), Decimal(0)),
    )  # fmt: skip
    return _dump(stock)


def _dump(model: BaseModel) -> dict[str, object]:
    return model.model_dump(mode="json", by_alias=True)


def _created(req: func.HttpRequest, path: str, body: dict[str, object]) -> func.HttpResponse:
    response = json_response(body, 201)
    response.headers["Location"] = f"{req.url.split('/api/', 1)[0]}/api/{path}"
    return response
