"""Running one step of a flow on one order, from its queue message, exactly once in effect.

The handler loads the order, checks the step is still due with this attempt and retry (a
duplicate or stale message does nothing), performs the action, records the step result, raises
the step's output event and routes it, then saves everything with the order's ETag. A concurrent
change makes it reload and redo; provider calls carry an idempotency key of (order, step,
attempt) so a redo never creates a second document at the provider.

A provider's transient failure (throttled, unavailable) records the step as Retrying and stages
the same attempt again with a delay: exponential backoff, never shorter than the provider asked
for (Retry-After). After the action's last attempt the step fails with the reason and a copy of
the message goes to the poison queue; reprocess starts a new attempt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from domain.flows.actions import output_events
from domain.flows.model import Flow, Step
from domain.orders.model import SalesOrder, StepResult, StepStatus, step_key
from services.errors import ConcurrencyConflict
from services.orders.actions import ActionOutcome, ActionPorts, perform
from services.orders.engine import (
    STEP_QUEUE,
    Catalog,
    Engine,
    StepMessage,
    dispatch,
    record,
    source_of,
)
from services.orders.ports import ErrorKind, LoadedOrder, OperationError
from services.outbox import OutboxMessage

logger = logging.getLogger(__name__)

MAX_CONFLICT_RETRIES = 8
POISON_QUEUE = f"{STEP_QUEUE}-poison"
BACKOFF_BASE_SECONDS = 5
BACKOFF_CAP_SECONDS = 15 * 60


@dataclass(frozen=True)
class StepRun:
    """What handling a step message did: `ran` is False for duplicates and stale messages."""

    ran: bool
    status: StepStatus | None = None
    details: str | None = None


@dataclass
class Execution:
    """One step execution: its result, the events it raised, errors and extra messages."""

    result: StepResult
    events: list[str]
    errors: list[OperationError]
    messages: list[OutboxMessage] = field(default_factory=list)


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
        done = _execute(loaded, message, catalog, engine, now)
        messages = [*dispatch(loaded.order, done.events, now, catalog), *done.messages]
        try:
            records = engine.orders.save(loaded, messages)
        except ConcurrencyConflict:
            continue  # someone else changed the order; reload and redo on fresh state
        for error in done.errors:
            engine.errors.record(error)
        engine.relay(records)
        return StepRun(ran=True, status=done.result.status, details=done.result.details)
    raise ConcurrencyConflict(f"order {message.order_id} kept changing; step will be retried")


def backoff_seconds(retry: int, retry_after: float | None, base: int = BACKOFF_BASE_SECONDS) -> int:
    """Delay before retry number `retry` (1-based): doubling, capped, at least what was asked."""
    doubling = base * 2 ** (retry - 1)
    return int(min(BACKOFF_CAP_SECONDS, max(doubling, retry_after or 0)))


def _is_due(order: SalesOrder, message: StepMessage) -> bool:
    latest = order.latest_step_result(step_key(message.flow_id, message.step_id))
    return (
        latest is not None
        and latest.status in (StepStatus.SCHEDULED, StepStatus.RETRYING)
        and latest.attempt == message.attempt
        and latest.retry == message.retry
    )


def _execute(
    loaded: LoadedOrder, message: StepMessage, catalog: Catalog, engine: Engine, now: datetime
) -> Execution:
    order = loaded.order
    flow = catalog.flow(message.flow_id, message.flow_version)
    step = _step(flow, message.step_id) if flow is not None else None
    if flow is None or step is None:
        return _orphan(order, message, now)
    key = "|".join((order.order_id, flow.flow_id, step.step_id, str(message.attempt)))
    outcome = perform(
        step, order, catalog, ActionPorts(engine.providers, engine.fulfillment, now, key)
    )
    if outcome.transient and message.retry + 1 < outcome.max_attempts:
        return _retry_later(order, flow, step, message, outcome, now, engine)
    extra: list[OutboxMessage] = []
    if outcome.transient:
        outcome.details = f"gave up after {message.retry + 1} attempts: {outcome.details}"
        extra.append(message.outbox_message(now, queue=POISON_QUEUE))
    status = StepStatus.SUCCEEDED if outcome.succeeded else StepStatus.FAILED
    result = record(order, flow, step, message.attempt, status, now, outcome.details)
    result.retry = message.retry
    events = _raise_outcome(order, flow, step, outcome, now)
    errors = _errors(order, flow, step, message.attempt, outcome, now)
    return Execution(result, events, errors, extra)


def _raise_outcome(
    order: SalesOrder, flow: Flow, step: Step, outcome: ActionOutcome, now: datetime
) -> list[str]:
    success, failure = output_events(step)
    event = success if outcome.succeeded else failure
    events: list[str] = []
    source = source_of(flow, step)
    if event is not None:
        line_ids = outcome.failed_line_ids or None
        order.raise_event(event, now, line_ids=line_ids, details=outcome.details, source=source)
        events.append(event)
    for line_event, line_ids in outcome.line_events:
        # After the step's own event, so the header ends where the lines leave it.
        order.raise_event(line_event, now, line_ids=line_ids, source=source)
        events.append(line_event)
    return events


def _retry_later(
    order: SalesOrder,
    flow: Flow,
    step: Step,
    message: StepMessage,
    outcome: ActionOutcome,
    now: datetime,
    engine: Engine,
) -> Execution:
    retry = message.retry + 1
    delay = backoff_seconds(retry, outcome.retry_after, engine.retry_base_seconds)
    details = (
        f"attempt {retry} of {outcome.max_attempts} failed ({outcome.details}); "
        f"retrying in {delay} s"
    )
    result = record(order, flow, step, message.attempt, StepStatus.RETRYING, now, details)
    result.retry = retry
    again = message.model_copy(update={"retry": retry}).outbox_message(now, delay_seconds=delay)
    return Execution(result, [], [], [again])


def _step(flow: Flow, step_id: str) -> Step | None:
    return next((s for s in flow.steps if s.step_id == step_id), None)


def _orphan(order: SalesOrder, message: StepMessage, now: datetime) -> Execution:
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
    return Execution(result, [], [error])


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
