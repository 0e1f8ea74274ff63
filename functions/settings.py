"""The operators' settings API (function-key protected): order handling preferences."""

from __future__ import annotations

import azure.functions as func

from bootstrap.container import get_container
from domain.orders.preferences import OrderHandlingPreferences
from functions._http import handle_errors, json_response, parse_body

bp = func.Blueprint()


@bp.function_name("get_order_handling")
@bp.route(route="settings/order-handling", methods=["GET"])
@handle_errors
def get_order_handling(req: func.HttpRequest) -> func.HttpResponse:
    """The order handling preferences (the defaults until someone saves them)."""
    return json_response(_body(get_container().preferences.load()))


@bp.function_name("set_order_handling")
@bp.route(route="settings/order-handling", methods=["PUT"])
@handle_errors
def set_order_handling(req: func.HttpRequest) -> func.HttpResponse:
    """Replace the order handling preferences (omitted fields take their defaults)."""
    preferences = parse_body(req, OrderHandlingPreferences)
    get_container().preferences.save(preferences)
    return json_response(_body(preferences))


def _body(preferences: OrderHandlingPreferences) -> dict[str, object]:
    return preferences.model_dump(mode="json", by_alias=True)
