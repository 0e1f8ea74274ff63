"""Background jobs (IOM Monitoring > Background jobs): the release timer, runs, the run log."""

from __future__ import annotations

import logging

import azure.functions as func

from bootstrap.container import get_container
from functions._http import BadRequest, handle_errors, json_response, query_int
from services.errors import NotFound
from services.jobs import JobRun, JobStatus

logger = logging.getLogger(__name__)

bp = func.Blueprint()

BACKORDER_RELEASE = "backorder-release"
SALES_TOTALS = "sales-totals"
INITIAL_SYNC = "sync-initial"
KNOWN_JOBS: tuple[str, ...] = (BACKORDER_RELEASE, SALES_TOTALS, INITIAL_SYNC)
MAX_LIMIT = 200


@bp.function_name("release_backorders")
@bp.timer_trigger(arg_name="timer", schedule="0 */5 * * * *", run_on_startup=False)
def release_backorders(timer: func.TimerRequest) -> None:
    """Every five minutes: release held lines that got supply, cancel those past their SLA."""
    run = get_container().run_backorder_release(trigger="timer")
    level = logging.ERROR if run.status == JobStatus.FAILED else logging.INFO
    logger.log(
        level, "backorder release %s (past due %s) %s: examined %d, released %d, cancelled %d",
        run.run_id, timer.past_due, run.status.value, run.examined, run.released, run.cancelled,
    )  # fmt: skip


@bp.function_name("run_backorder_release")
@bp.route(route="jobs/backorder-release/run", methods=["POST"])
@handle_errors
def run_backorder_release(req: func.HttpRequest) -> func.HttpResponse:
    """Run the backorder release job now and answer the run (200, whether or not it failed)."""
    return json_response(job_run_body(get_container().run_backorder_release(trigger="api")))


@bp.function_name("calculate_sales_totals")
@bp.timer_trigger(arg_name="timer", schedule="30 */5 * * * *", run_on_startup=False)
def calculate_sales_totals(timer: func.TimerRequest) -> None:
    """Every five minutes: recalculate the totals of orders changed since (the stale index)."""
    run = get_container().run_sales_totals(trigger="timer")
    level = logging.ERROR if run.status == JobStatus.FAILED else logging.INFO
    logger.log(
        level, "sales totals %s (past due %s) %s: examined %d, %s",
        run.run_id, timer.past_due, run.status.value, run.examined, run.counts,
    )  # fmt: skip


@bp.function_name("run_sales_totals")
@bp.route(route="jobs/sales-totals/run", methods=["POST"])
@handle_errors
def run_sales_totals(req: func.HttpRequest) -> func.HttpResponse:
    """Run the sales totals job now and answer the run (200, whether or not it failed)."""
    return json_response(job_run_body(get_container().run_sales_totals(trigger="api")))


@bp.function_name("list_job_runs")
@bp.route(route="jobs/{job}/runs", methods=["GET"])
@handle_errors
def list_job_runs(req: func.HttpRequest) -> func.HttpResponse:
    """The job's runs, newest first, a page at a time."""
    job = req.route_params["job"]
    if job not in KNOWN_JOBS:
        raise NotFound(f"no job {job!r}; the jobs are: {', '.join(KNOWN_JOBS)}")
    limit = query_int(req, "limit", 50, 1, MAX_LIMIT)
    continuation = req.params.get("continuation") or None
    try:
        page = get_container().job_log.runs(job, continuation, limit)
    except ValueError as err:
        raise BadRequest(400, "InvalidRequest", str(err), "continuation") from None
    runs = [job_run_body(run) for run in page.runs]
    return json_response({"runs": runs, "continuation": page.continuation})


def job_run_body(run: JobRun) -> dict[str, object]:
    """A run as the API answers it."""
    return {
        "job": run.job, "runId": run.run_id, "startedAt": run.started_at.isoformat(),
        "endedAt": None if run.ended_at is None else run.ended_at.isoformat(),
        "status": run.status.value, "trigger": run.trigger, "examined": run.examined,
        "released": run.released, "cancelled": run.cancelled, "details": list(run.details),
        "counts": dict(run.counts),
    }  # fmt: skip
