"""The operators' error lists (function-key protected): inbound, provider action, step, policy."""

from __future__ import annotations

import azure.functions as func

from bootstrap.container import get_container
from functions._http import BadRequest, handle_errors, json_response, query_int
from services.orders.ports import ErrorKind, OperationError

bp = func.Blueprint()

# Each kind by its value ("Provider action") and by its URL-friendly slug ("provider-action").
KINDS: dict[str, ErrorKind] = {
    **{kind.value: kind for kind in ErrorKind},
    **{kind.value.lower().replace(" ", "-"): kind for kind in ErrorKind},
}

MAX_LIMIT = 500


@bp.function_name("list_errors")
@bp.route(route="errors", methods=["GET"])
@handle_errors
def list_errors(req: func.HttpRequest) -> func.HttpResponse:
    """Errors, newest first, optionally of one kind or one order, a page at a time."""
    kind = _kind(req.params.get("kind"))
    order_id = req.params.get("orderId") or None
    limit = query_int(req, "limit", 50, 1, MAX_LIMIT)
    continuation = req.params.get("continuation") or None
    try:
        page = get_container().engine.errors.list(kind, order_id, continuation, limit)
    except ValueError as err:
        raise BadRequest(400, "InvalidRequest", str(err), "continuation") from None
    errors = [_error_body(e) for e in page.errors]
    return json_response({"errors": errors, "continuation": page.continuation})


def _kind(raw: str | None) -> ErrorKind | None:
    if not raw:
        return None
    try:
        return KINDS[raw]
    except KeyError:
        allowed = ", ".join(KINDS)
        raise BadRequest(400, "InvalidRequest", f"kind must be one of: {allowed}", "kind") from None


def _error_body(error: OperationError) -> dict[str, object]:
    return {
        "errorId": error.error_id, "kind": error.kind.value, "at": error.at.isoformat(),
        "message": error.message, "orderId": error.order_id, "flowId": error.flow_id,
        "stepId": error.step_id, "policyId": error.policy_id, "attempt": error.attempt,
        "details": dict(error.details),
    }  # fmt: skip
