"""Running one step of a flow on one order, from its queue message, exactly once in effect.

The handler loads the order, checks the step is still Scheduled with this attempt (a duplicate
or stale message does nothing), performs the action, records the step result, raises the
step's output event and routes it, then saves everything with the order's ETag. A concurrent
change makes it reload and redo; provider calls carry an idempotency key of (order, step,
attempt) so a redo never creates a second document at the provider.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from domain.flows.actions import output_events
from domain.flows.model import Flow, Step
from domain.orders.model import SalesOrder, StepResult, StepStatus, step_key
from services.errors import ConcurrencyConflict
from services.orders.actions import ActionOutcome, ActionPorts, perform
from services.orders.engine import Catalog, Engine, StepMessage, dispatch, record, source_of
from services.orders.ports import ErrorKind, LoadedOrder, OperationError

logger = logging.getLogger(__name__)

MAX_CONFLICT_RETRIES = 8


@dataclass(frozen=True)
class StepRun:
    """What handling a step message did: `ran` is False for duplicates and stale messages."""

    ran: bool
    status: StepStatus | None = None
    details: str | None = None


def run_step(message: StepMessage, engine: Engine) -> StepRun:
    """Handle one step message (at-least-once delivery, so it must be idempotent)."""
    for _ in range(MAX_CONFLICT_RETRIES):
        loaded = engine.orders.get(message.order_id)
        if loaded is None:
            logger.warning("step message for unknown order %s dropped", message.order_id)
            return StepRun(ran=False)
        if not _is_due(loaded.order, message):
            return StepRun(ran=False)
        now = engine.clock.now()
        catalog = engine.catalog()
        outcome, errors = _execute(loaded, message, catalog, engine, now)
        try:
            records = engine.orders.save(loaded, dispatch(loaded.order, outcome[1], now, catalog))
        except ConcurrencyConflict:
            continue  # someone else changed the order; reload and redo on fresh state
        for error in errors:
            engine.errors.record(error)
        engine.relay(records)
        return StepRun(ran=True, status=outcome[0].status, details=outcome[0].details)
    raise ConcurrencyConflict(f"order {message.order_id} kept changing; step will be retried")


def _is_due(order: SalesOrder, message: StepMessage) -> bool:
    latest = order.latest_step_result(step_key(message.flow_id, message.step_id))
    return (
        latest is not None
        and latest.status == StepStatus.SCHEDULED
        and latest.attempt == message.attempt
    )


def _execute(
    loaded: LoadedOrder, message: StepMessage, catalog: Catalog, engine: Engine, now: datetime
) -> tuple[tuple[StepResult, list[str]], list[OperationError]]:
    order = loaded.order
    flow = catalog.flow(message.flow_id, message.flow_version)
    step = _step(flow, message.step_id) if flow is not None else None
    if flow is None or step is None:
        return _orphan(order, message, now)
    key = "|".join((order.order_id, flow.flow_id, step.step_id, str(message.attempt)))
    ports = ActionPorts(engine.providers, engine.fulfillment, now, key)
    outcome = perform(step, order, catalog, ports)
    status = StepStatus.SUCCEEDED if outcome.succeeded else StepStatus.FAILED
    result = record(order, flow, step, message.attempt, status, now, outcome.details)
    success, failure = output_events(step)
    event = success if outcome.succeeded else failure
    events: list[str] = []
    if event is not None:
        line_ids = outcome.failed_line_ids or None
        order.raise_event(
            event, now, line_ids=line_ids, details=outcome.details, source=source_of(flow, step)
        )
        events.append(event)
    for line_event, line_ids in outcome.line_events:
        # After the step's own event, so the header ends where the lines leave it.
        order.raise_event(line_event, now, line_ids=line_ids, source=source_of(flow, step))
        events.append(line_event)
    return (result, events), _errors(order, flow, step, message.attempt, outcome, now)


def _step(flow: Flow, step_id: str) -> Step | None:
    return next((s for s in flow.steps if s.step_id == step_id), None)


def _orphan(
    order: SalesOrder, message: StepMessage, now: datetime
) -> tuple[tuple[StepResult, list[str]], list[OperationError]]:
    details = f"flow {message.flow_id} version {message.flow_version} has no step {message.step_id}"
    result = StepResult(
        flow_id=message.flow_id, flow_version=message.flow_version, step_id=message.step_id,
        step_name=message.step_id, attempt=message.attempt, status=StepStatus.FAILED,
        details=details, at=now,
    )  # fmt: skip
    order.step_results.append(result)
    error = OperationError(
        error_id=f"{order.order_id}|{message.flow_id}|{message.step_id}|{message.attempt}",
        kind=ErrorKind.ORCHESTRATION_STEP, at=now, message=details, order_id=order.order_id,
        flow_id=message.flow_id, step_id=message.step_id, attempt=message.attempt,
    )  # fmt: skip
    return (result, []), [error]


def _errors(
    order: SalesOrder, flow: Flow, step: Step, attempt: int, outcome: ActionOutcome, now: datetime
) -> list[OperationError]:
    base = f"{order.order_id}|{flow.flow_id}|{step.step_id}|{attempt}"
    errors: list[OperationError] = []
    for evaluation in outcome.evaluations:
        if evaluation.passed:
            continue
        message = "; ".join(r.message or r.record_id for r in evaluation.failed_records)
        details = {"policy": evaluation.policy_name, "critical": str(evaluation.critical)}
        errors.append(
            OperationError(
                error_id=f"{base}|{evaluation.policy_id}", kind=ErrorKind.POLICY, at=now,
                message=message, order_id=order.order_id, flow_id=flow.flow_id,
                step_id=step.step_id, policy_id=evaluation.policy_id, attempt=attempt,
                details=details,
            )
        )  # fmt: skip
    if not outcome.succeeded:
        kind = (
            ErrorKind.PROVIDER_ACTION if outcome.provider_failure else ErrorKind.ORCHESTRATION_STEP
        )
        errors.append(
            OperationError(
                error_id=base, kind=kind, at=now, message=outcome.details,
                order_id=order.order_id, flow_id=flow.flow_id, step_id=step.step_id,
                attempt=attempt, details={"step": step.name, "flow": flow.name},
            )
        )  # fmt: skip
    return errors
