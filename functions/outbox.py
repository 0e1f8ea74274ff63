"""Outbox triggers: the sweeper timer and the operators' view of stuck messages."""

from __future__ import annotations

import logging

import azure.functions as func

from bootstrap.container import get_container
from functions._http import handle_errors, json_response

logger = logging.getLogger(__name__)

bp = func.Blueprint()


@bp.function_name("sweep_outbox")
@bp.timer_trigger(arg_name="timer", schedule="0 * * * * *", run_on_startup=False)
def sweep_outbox(timer: func.TimerRequest) -> None:
    """Every minute: relay outbox messages that a crashed process left pending."""
    report = get_container().sweep_outbox()
    logger.info(
        "outbox sweep (past due %s): examined %d, sent %d, already sent %d, orphaned %d, failed %d",
        timer.past_due, report.examined, report.sent, report.already_sent, report.orphaned,
        len(report.failed),
    )  # fmt: skip


@bp.function_name("list_pending_outbox")
@bp.route(route="outbox/pending", methods=["GET"])
@handle_errors
def list_pending_outbox(req: func.HttpRequest) -> func.HttpResponse:
    """Messages committed but still not relayed after the grace period (should be empty)."""
    entries = get_container().pending_outbox()
    pending = [
        {"messageId": e.message_id, "table": e.table, "partitionKey": e.partition_key}
        for e in entries
    ]
    return json_response({"pending": pending, "count": len(pending)})
