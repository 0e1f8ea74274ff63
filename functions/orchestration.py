"""Queue triggers of the orchestration engine: run a flow step; give up on a poisoned one."""

from __future__ import annotations

import json
import logging

import azure.functions as func
from pydantic import ValidationError

from bootstrap.container import get_container
from services.orders.engine import STEP_QUEUE, StepMessage
from services.orders.operations import fail_poisoned_step
from services.orders.steps import run_step

logger = logging.getLogger(__name__)

bp = func.Blueprint()


@bp.function_name("run_flow_step")
@bp.queue_trigger(arg_name="msg", queue_name=STEP_QUEUE, connection="AzureWebJobsStorage")
def run_flow_step(msg: func.QueueMessage) -> None:
    """Run one step of an order's flow (idempotent: duplicates and stale attempts do nothing)."""
    message = _step_message(msg)
    if message is None:
        return
    run = run_step(message, get_container().engine)
    logger.info(
        "step %s of order %s attempt %d: %s",
        message.step_id, message.order_id, message.attempt,
        run.status if run.ran else "not due (duplicate or stale message)",
    )  # fmt: skip


@bp.function_name("fail_poisoned_flow_step")
@bp.queue_trigger(
    arg_name="msg", queue_name=f"{STEP_QUEUE}-poison", connection="AzureWebJobsStorage"
)
def fail_poisoned_flow_step(msg: func.QueueMessage) -> None:
    """A step message that kept failing: mark the step Failed and log it for operators."""
    message = _step_message(msg)
    if message is not None:
        fail_poisoned_step(get_container().engine, message)


def _step_message(msg: func.QueueMessage) -> StepMessage | None:
    # A malformed message can never succeed, so retrying it only delays the poison queue.
    try:
        envelope = json.loads(msg.get_body())
        return StepMessage.model_validate(envelope["data"])
    except (ValueError, KeyError, TypeError, ValidationError):
        logger.exception("dropping malformed step message %s", msg.id)
        return None
