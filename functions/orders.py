"""Order intake and the operators' order API (function-key protected)."""

from __future__ import annotations

from datetime import datetime

import azure.functions as func

from bootstrap.container import get_container
from domain.orders.model import SalesOrder
from domain.orders.states import OrderState
from functions._http import BadRequest, handle_errors, json_response, parse_body, query_int
from services.orders import operations
from services.orders.commands import CancelOrder, PlaceOrder
from services.orders.intake import place_order
from services.orders.ports import OrderQuery, OrderSummary

bp = func.Blueprint()


@bp.function_name("place_order")
@bp.route(route="orders", methods=["POST"])
@handle_errors
def place(req: func.HttpRequest) -> func.HttpResponse:
    """Take an order: 202 when created, 200 with the same id when it was already taken."""
    command = parse_body(req, PlaceOrder)
    result = place_order(command, get_container().engine)
    url = _order_url(req, result.order_id)
    body = {
        "orderId": result.order_id, "created": result.created, "url": url,
        "timelineUrl": f"{url}/timeline",
    }  # fmt: skip
    response = json_response(body, 202 if result.created else 200)
    response.headers["Location"] = url
    return response


@bp.function_name("get_order")
@bp.route(route="orders/{order_id}", methods=["GET"])
@handle_errors
def get(req: func.HttpRequest) -> func.HttpResponse:
    """The order: header, lines, states, reasons, findings, fulfillment orders, step results."""
    order = operations.get_order(get_container().engine, req.route_params["order_id"])
    return json_response(_order_body(req, order))


@bp.function_name("list_orders")
@bp.route(route="orders", methods=["GET"])
@handle_errors
def list_orders(req: func.HttpRequest) -> func.HttpResponse:
    """Orders by state, reason, creation date and channel, a page at a time."""
    query = OrderQuery(
        state=_state(req.params.get("state")),
        reason=req.params.get("reason") or None,
        created_from=_datetime(req, "createdFrom"),
        created_to=_datetime(req, "createdTo"),
        channel=req.params.get("channel") or None,
    )
    limit = query_int(req, "limit", 50, 1, 1000)
    continuation = req.params.get("continuation") or None
    try:
        page = get_container().engine.orders.list(query, continuation, limit)
    except ValueError as err:
        raise BadRequest(400, "InvalidRequest", str(err), "continuation") from None
    orders = [_summary(req, s) for s in page.orders]
    return json_response({"orders": orders, "continuation": page.continuation})


@bp.function_name("get_order_timeline")
@bp.route(route="orders/{order_id}/timeline", methods=["GET"])
@handle_errors
def timeline(req: func.HttpRequest) -> func.HttpResponse:
    """Every business event raised on the order, in order, with the state changes it made."""
    engine = get_container().engine
    order_id = req.route_params["order_id"]
    operations.get_order(engine, order_id)
    events = [e.model_dump(mode="json", by_alias=True) for e in engine.orders.timeline(order_id)]
    return json_response({"orderId": order_id, "events": events})


@bp.function_name("reprocess_order")
@bp.route(route="orders/{order_id}/reprocess", methods=["POST"])
@handle_errors
def reprocess(req: func.HttpRequest) -> func.HttpResponse:
    """Restart the order from its failed steps."""
    result = operations.reprocess(get_container().engine, req.route_params["order_id"])
    return json_response({"orderId": result.order_id, "restartedSteps": result.steps}, 202)


@bp.function_name("cancel_order")
@bp.route(route="orders/{order_id}/cancel", methods=["POST"])
@handle_errors
def cancel(req: func.HttpRequest) -> func.HttpResponse:
    """Cancel the order or some of its lines (not lines already in fulfillment)."""
    command = parse_body(req, CancelOrder) if req.get_body().strip() else CancelOrder()
    order = operations.cancel(get_container().engine, req.route_params["order_id"], command)
    return json_response(_order_body(req, order))


def _order_url(req: func.HttpRequest, order_id: str) -> str:
    base = req.url.split("/api/", 1)[0]
    return f"{base}/api/orders/{order_id}"


def _order_body(req: func.HttpRequest, order: SalesOrder) -> dict[str, object]:
    body = order.model_dump(mode="json", by_alias=True)
    url = _order_url(req, order.order_id)
    body["links"] = {"self": url, "timeline": f"{url}/timeline", "reprocess": f"{url}/reprocess"}
    return body


def _summary(req: func.HttpRequest, summary: OrderSummary) -> dict[str, object]:
    return {
        "orderId": summary.order_id, "channel": summary.channel,
        "externalOrderId": summary.external_order_id, "state": summary.state,
        "reason": summary.reason, "createdAt": summary.created_at.isoformat(),
        "updatedAt": summary.updated_at.isoformat(), "lineCount": summary.line_count,
        "currency": summary.currency, "url": _order_url(req, summary.order_id),
    }  # fmt: skip


def _state(raw: str | None) -> OrderState | None:
    if not raw:
        return None
    try:
        return OrderState(raw)
    except ValueError:
        allowed = ", ".join(s.value for s in OrderState)
        raise BadRequest(
            400, "InvalidRequest", f"state must be one of: {allowed}", "state"
        ) from None


def _datetime(req: func.HttpRequest, name: str) -> datetime | None:
    raw = req.params.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest(
            400, "InvalidRequest", f"{name} must be an ISO 8601 date-time", name
        ) from None
    if value.tzinfo is None:
        raise BadRequest(400, "InvalidRequest", f"{name} needs a time zone (e.g. Z)", name)
    return value
