"""Storefront webhooks: BigCommerce order callbacks queued, taken by a queue trigger, reconciled.

The webhook route is anonymous because BigCommerce cannot send a function key: the custom
secret header registered with the hook (and, when configured, the Standard Webhooks signature)
authenticates each delivery. It answers 200 with no body as soon as the order id is queued.
"""

from __future__ import annotations

import logging

import azure.functions as func

from bootstrap.container import get_container
from functions._http import MAX_BODY_BYTES, BadRequest, handle_errors
from services import storefront_intake as intake
from services.errors import InvalidInput
from services.providers.gateway import PermanentProviderFailure, ProviderFailure

logger = logging.getLogger(__name__)

bp = func.Blueprint()


@bp.function_name("receive_bigcommerce_webhook")
@bp.route(route="webhooks/bigcommerce", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handle_errors
def receive_bigcommerce(req: func.HttpRequest) -> func.HttpResponse:
    """Queue the order a BigCommerce callback names (200); 401, nothing queued, if not authentic."""
    body = req.get_body()
    if len(body) > MAX_BODY_BYTES:
        message = f"the body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}"
        raise BadRequest(413, "PayloadTooLarge", message)
    container = get_container()
    try:
        named = container.verify_bigcommerce_webhook(dict(req.headers.items()), body)
    except intake.WebhookRefused as err:
        logger.warning("refused a BigCommerce webhook: %s", err.reason)
        raise BadRequest(401, "Unauthorized", "the webhook is not authentic") from None
    if named is not None:
        intake.accept_webhook(container.publisher, *named)
        logger.info("queued BigCommerce order %d (%s)", *named)
    return func.HttpResponse(status_code=200)


@bp.function_name("take_storefront_order")
@bp.queue_trigger(
    arg_name="msg", queue_name=intake.STOREFRONT_QUEUE, connection="AzureWebJobsStorage"
)
def take_storefront_order(msg: func.QueueMessage) -> None:
    """Place a queued storefront order once; a transient storefront failure retries the message."""
    try:
        order_id, dedupe_key = intake.read_queue_body(msg.get_body().decode())
    except ValueError:
        logger.exception("dropping malformed storefront message %s", msg.id)
        return
    container = get_container()
    orders = container.storefront_orders()
    if orders is None:
        logger.warning("no BigCommerce provider is active: dropping order %d", order_id)
        return
    try:
        result = intake.take_order(container.engine, orders, order_id)
    except (PermanentProviderFailure, InvalidInput):
        logger.exception("storefront order %d (%s) cannot be taken", order_id, dedupe_key)
        return
    outcome = "not taken yet (incomplete)" if result is None else (
        f"created {result.order_id}" if result.created else f"already {result.order_id}"
    )  # fmt: skip
    logger.info("storefront order %d (%s): %s", order_id, dedupe_key, outcome)


@bp.function_name("reconcile_storefront")
@bp.timer_trigger(arg_name="timer", schedule="0 */2 * * * *", run_on_startup=False)
def reconcile_storefront(timer: func.TimerRequest) -> None:
    """Every two minutes: take storefront orders whose webhook never arrived."""
    container = get_container()
    orders = container.storefront_orders()
    if orders is None:
        logger.info("no BigCommerce provider is active: nothing to reconcile")
        return
    checkpoints = container.checkpoint_store()
    try:
        report = intake.reconcile(container.engine, orders, checkpoints, container.clock)
    except ProviderFailure:
        logger.exception(
            "storefront reconciliation of %s failed; the next run retries", orders.name
        )
        return
    logger.info(
        "reconciled %s (past due %s): examined %d, created %d, failed %d, checkpoint %s",
        orders.name, timer.past_due, report.examined, report.taken, len(report.failed),
        report.checkpoint.isoformat(),
    )  # fmt: skip
    for failure in report.failed:
        logger.error("storefront order not taken: %s", failure)
