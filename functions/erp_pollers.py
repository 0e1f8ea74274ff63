"""ERP pollers: F&O's confirmed orders into the hub, SAP's invoices onto the hub's orders."""

from __future__ import annotations

import logging

import azure.functions as func

from bootstrap.container import get_container

logger = logging.getLogger(__name__)

bp = func.Blueprint()


@bp.function_name("pull_fno_orders")
@bp.timer_trigger(arg_name="timer", schedule="0 */2 * * * *", run_on_startup=False)
def pull_fno_orders(timer: func.TimerRequest) -> None:
    """Every two minutes: place the orders F&O confirmed since the last pull."""
    report = get_container().pull_erp_orders()
    level = logging.WARNING if report.refused else logging.INFO
    logger.log(
        level, "F&O order pull (past due %s): examined %d, taken %d, the hub's own %d, "
        "refused %d %s", timer.past_due, report.examined, report.taken, report.ours,
        len(report.refused), list(report.refused),
    )  # fmt: skip


@bp.function_name("poll_sap_invoices")
@bp.timer_trigger(arg_name="timer", schedule="30 */2 * * * *", run_on_startup=False)
def poll_sap_invoices(timer: func.TimerRequest) -> None:
    """Every two minutes: raise "invoiced" for watched orders SAP has billed."""
    sweep = get_container().poll_invoices()
    logger.info(
        "SAP invoice check (past due %s): examined %d, invoiced %d, dropped %d, expired %d",
        timer.past_due, sweep.examined, len(sweep.invoiced), len(sweep.dropped),
        len(sweep.expired),
    )  # fmt: skip
    if sweep.expired:
        logger.warning("SAP never invoiced these watched orders: %s", list(sweep.expired))
