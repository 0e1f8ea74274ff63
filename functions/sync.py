"""The sync engine's triggers: order changes, change notifications, polling, maps and status."""

from __future__ import annotations

import hmac
import logging
from typing import Any

import azure.functions as func
from pydantic import RootModel, ValidationError

from bootstrap.container import get_container
from bootstrap.sync_wiring import SYNC_SYSTEMS
from functions._http import BadRequest, handle_errors, json_response, parse_body
from functions.jobs import job_run_body
from services.errors import NotFound
from services.sync import maps_admin
from services.sync.inbound import apply_change, poll
from services.sync.messages import (
    INBOUND_QUEUE,
    INITIAL_QUEUE,
    ChangeNotice,
    accept_change,
    read_change,
)
from services.sync.tally import Tally

logger = logging.getLogger(__name__)

bp = func.Blueprint()

SECRET_HEADER = "x-provider-secret"
ORDER_CHANGES_QUEUE = "order-changes"


class _JsonObject(RootModel[dict[str, Any]]):
    """Any JSON object: a sync map as an operator edits it."""


@bp.function_name("on_order_changed")
@bp.queue_trigger(arg_name="msg", queue_name=ORDER_CHANGES_QUEUE, connection="AzureWebJobsStorage")
def on_order_changed(msg: func.QueueMessage) -> None:
    """An order changed: mark its totals stale if they are, and sync it where its maps say."""
    tally = get_container().take_order_change(msg.get_body().decode())
    if tally is not None:
        _log("order", tally.record_id, tally)


@bp.function_name("receive_sync_change")
@bp.route(route="sync/changes/{system}", methods=["POST"])
@handle_errors
def receive_change(req: func.HttpRequest) -> func.HttpResponse:
    """Accept a change notification from a target system (202) and queue it."""
    container = get_container()
    system = req.route_params["system"]
    if system not in SYNC_SYSTEMS:
        raise NotFound(f"no sync target {system!r}; the targets are {', '.join(SYNC_SYSTEMS)}")
    expected = container.provider_secret(system, "webhookSecret")
    given = req.headers.get(SECRET_HEADER) or ""
    if expected is not None and not hmac.compare_digest(given.encode(), expected.encode()):
        raise BadRequest(401, "Unauthorized", "the provider secret does not match", SECRET_HEADER)
    notice = parse_body(req, ChangeNotice)
    accept_change(container.publisher, system, notice)
    return json_response({"accepted": notice.entity}, 202)


@bp.function_name("apply_sync_change")
@bp.queue_trigger(arg_name="msg", queue_name=INBOUND_QUEUE, connection="AzureWebJobsStorage")
def apply_sync_change(msg: func.QueueMessage) -> None:
    """Bring a changed target record back to the hub, unless it is the hub's own echo."""
    try:
        change = read_change(msg.get_body().decode())
    except (ValueError, KeyError, ValidationError):
        logger.exception("dropping malformed sync change %s", msg.id)
        return
    _log(change.system, change.entity, apply_change(get_container().sync.context(), change))


@bp.function_name("poll_sync_targets")
@bp.timer_trigger(arg_name="timer", schedule="15 */2 * * * *", run_on_startup=False)
def poll_sync_targets(timer: func.TimerRequest) -> None:
    """Every two minutes: read what changed in each target since its maps' watermarks."""
    container = get_container()
    for system in container.sync.active_systems():
        _log("poll", system, poll(container.sync.context(), system))


@bp.function_name("start_initial_sync")
@bp.route(route="sync/initial-sync", methods=["POST"])
@handle_errors
def start_initial_sync(req: func.HttpRequest) -> func.HttpResponse:
    """Start copying every existing order through the maps; progress is in the job's runs."""
    run = get_container().sync.start_initial_sync(trigger="api")
    return json_response(job_run_body(run), 202)


@bp.function_name("continue_initial_sync")
@bp.queue_trigger(arg_name="msg", queue_name=INITIAL_QUEUE, connection="AzureWebJobsStorage")
def continue_initial_sync(msg: func.QueueMessage) -> None:
    """Sync one page of the initial sync and queue the next."""
    run = get_container().sync.continue_initial_sync(msg.get_body().decode())
    logger.info("initial sync %s: %s", run.run_id, ", ".join(run.details))


@bp.function_name("sync_one_order")
@bp.route(route="sync/orders/{order_id}", methods=["POST"])
@handle_errors
def sync_one_order(req: func.HttpRequest) -> func.HttpResponse:
    """Sync one order now (after fixing a Sync Error) and answer what each map did."""
    container = get_container()
    order_id = req.route_params["order_id"]
    if container.engine.orders.get(order_id) is None:
        raise NotFound(f"order {order_id} does not exist")
    tally = container.sync.sync_order(order_id)
    return json_response({"orderId": order_id, "maps": _tally_body(tally)})


@bp.function_name("list_sync_maps")
@bp.route(route="sync/maps", methods=["GET"])
@handle_errors
def list_sync_maps(req: func.HttpRequest) -> func.HttpResponse:
    """Every sync map with its status (last run, synced, failed, skipped, echoes, conflicts)."""
    context = get_container().sync.context()
    views = maps_admin.list_maps(context.maps, context.status)
    return json_response({"maps": [_view_body(v, full=False) for v in views]})


@bp.function_name("get_sync_map")
@bp.route(route="sync/maps/{name}", methods=["GET"])
@handle_errors
def get_sync_map(req: func.HttpRequest) -> func.HttpResponse:
    """One map (its current version in full) with its status."""
    context = get_container().sync.context()
    view = maps_admin.get_map(context.maps, context.status, req.route_params["name"])
    return json_response(_view_body(view))


@bp.function_name("edit_sync_map")
@bp.route(route="sync/maps/{name}", methods=["PUT"])
@handle_errors
def edit_sync_map(req: func.HttpRequest) -> func.HttpResponse:
    """Store an edited map as its next version; errors name the failing field."""
    context = get_container().sync.context()
    name = req.route_params["name"]
    body = parse_body(req, _JsonObject).root
    maps_admin.update_map(context.maps, name, body, get_container().clock.now())
    return json_response(_view_body(maps_admin.get_map(context.maps, context.status, name)))


@bp.function_name("enable_sync_map")
@bp.route(route="sync/maps/{name}/enable", methods=["POST"])
@handle_errors
def enable_map(req: func.HttpRequest) -> func.HttpResponse:
    """Enable a map (stored as a new version)."""
    return _set_enabled(req.route_params["name"], True)


@bp.function_name("disable_sync_map")
@bp.route(route="sync/maps/{name}/disable", methods=["POST"])
@handle_errors
def disable_map(req: func.HttpRequest) -> func.HttpResponse:
    """Disable a map: its records stay where they are and nothing more is sent or taken."""
    return _set_enabled(req.route_params["name"], False)


def _set_enabled(name: str, enabled: bool) -> func.HttpResponse:
    context = get_container().sync.context()
    maps_admin.set_enabled(context.maps, name, enabled, get_container().clock.now())
    return json_response(_view_body(maps_admin.get_map(context.maps, context.status, name)))


@bp.function_name("list_sync_map_versions")
@bp.route(route="sync/maps/{name}/versions", methods=["GET"])
@handle_errors
def list_versions(req: func.HttpRequest) -> func.HttpResponse:
    """Every version of a map, oldest first."""
    context = get_container().sync.context()
    versions = maps_admin.map_versions(context.maps, req.route_params["name"])
    return json_response({"versions": [v.model_dump(mode="json") for v in versions]})


def _view_body(view: maps_admin.MapView, full: bool = True) -> dict[str, object]:
    sync_map, status = view.stored.sync_map, view.status
    body: dict[str, object] = {
        "name": sync_map.name, "version": sync_map.version, "enabled": sync_map.enabled,
        "sourceEntity": sync_map.source_entity, "targetSystem": sync_map.target_system,
        "targetEntity": sync_map.target_entity, "template": sync_map.template,
        "task": sync_map.task, "updatedAt": view.stored.updated_at.isoformat(),
        "status": {
            "lastRunAt": None if status.last_run_at is None else status.last_run_at.isoformat(),
            "synced": status.synced, "failed": status.failed, "skipped": status.skipped,
            "echoes": status.echoes, "conflicts": status.conflicts,
            "lastError": status.last_error,
        },
    }  # fmt: skip
    if full:
        body["map"] = sync_map.model_dump(mode="json")
    return body


def _tally_body(tally: Tally) -> dict[str, dict[str, object]]:
    return {
        name: {"synced": s.synced, "failed": s.failed, "skipped": s.skipped,
               "echoes": s.echoes, "conflicts": s.conflicts, "lastError": s.last_error}
        for name, s in tally.counts.items()
    }  # fmt: skip


def _log(kind: str, subject: str, tally: Tally) -> None:
    failed = any(s.failed for s in tally.counts.values())
    logger.log(
        logging.WARNING if failed else logging.INFO, "sync %s %s: %s", kind, subject,
        _tally_body(tally),
    )  # fmt: skip
