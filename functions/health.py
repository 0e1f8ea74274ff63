"""GET /api/health: do the tables and queues answer?"""

from __future__ import annotations

import azure.functions as func

from bootstrap.container import get_container
from functions._http import json_response
from services.errors import ApplicationError

bp = func.Blueprint()


@bp.function_name("health")
@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    """200 when storage answers, else 503 with the reason."""
    try:
        report = get_container().check_health()
    except ApplicationError as err:  # settings missing or storage down at start-up
        return json_response({"status": "unhealthy", "reason": str(err)}, 503)
    checks = [
        {"kind": c.kind, "name": c.name, "ok": c.ok, "detail": c.detail} for c in report.checks
    ]
    if report.healthy:
        return json_response({"status": "healthy", "checks": checks})
    return json_response({"status": "unhealthy", "reason": report.reason, "checks": checks}, 503)
