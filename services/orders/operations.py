"""Operator commands on orders: reprocess failed steps, cancel, raise events, poison handling."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from domain.orders.events import BusinessEvent
from domain.orders.model import OrderLine, SalesOrder, StepResult, StepStatus, step_key
from domain.orders.states import OPEN, UNCANCELABLE
from services.errors import ConcurrencyConflict, InvalidInput, NotAllowed, NotFound
from services.orders.commands import CancelOrder
from services.orders.engine import Catalog, Engine, StepMessage, dispatch
from services.orders.ports import ErrorKind, LoadedOrder, OperationError
from services.outbox import OutboxMessage

MAX_CONFLICT_RETRIES = 8

# A change computes the events to route and the messages to stage; it may raise NotAllowed.
Change = Callable[[SalesOrder, Catalog], list[OutboxMessage]]


@dataclass(frozen=True)
class ReprocessResult:
    """The steps an operator re-drove."""

    order_id: str
    steps: list[str] = field(default_factory=list)


def get_order(engine: Engine, order_id: str) -> SalesOrder:
    """The order, or NotFound."""
    loaded = engine.orders.get(order_id)
    if loaded is None:
        raise NotFound(f"order {order_id} does not exist")
    return loaded.order


def change_order(engine: Engine, order_id: str, change: Change) -> SalesOrder:
    """Apply a change with the order's ETag, reloading and redoing it on conflicts."""
    for _ in range(MAX_CONFLICT_RETRIES):
        loaded: LoadedOrder | None = engine.orders.get(order_id)
        if loaded is None:
            raise NotFound(f"order {order_id} does not exist")
        messages = change(loaded.order, engine.catalog())
        try:
            records = engine.orders.save(loaded, messages)
        except ConcurrencyConflict:
            continue
        engine.relay(records)
        return loaded.order
    raise ConcurrencyConflict(f"order {order_id} kept changing; try again")


def reprocess(engine: Engine, order_id: str) -> ReprocessResult:
    """Restart the order from each failed step: a new attempt is scheduled per failed step."""
    restarted: list[str] = []

    def change(order: SalesOrder, _catalog: Catalog) -> list[OutboxMessage]:
        restarted.clear()
        now = engine.clock.now()
        failed = _failed_steps(order)
        if not failed:
            raise NotAllowed(f"order {order_id} has no failed step to reprocess", "steps")
        messages: list[OutboxMessage] = []
        for result in failed:
            attempt = result.attempt + 1
            order.step_results.append(
                result.model_copy(
                    update={"attempt": attempt, "retry": 0, "status": StepStatus.SCHEDULED,
                            "details": "reprocess requested", "at": now,
                            "triggered_by": "reprocess"}
                )
            )  # fmt: skip
            message = StepMessage(
                order_id=order.order_id, flow_id=result.flow_id, flow_version=result.flow_version,
                step_id=result.step_id, attempt=attempt,
            )  # fmt: skip
            messages.append(message.outbox_message(now))
            restarted.append(result.step_name)
        return messages

    change_order(engine, order_id, change)
    return ReprocessResult(order_id, list(restarted))


def _failed_steps(order: SalesOrder) -> list[StepResult]:
    latest: dict[str, StepResult] = {}
    for result in order.step_results:
        latest[result.key] = result
    return [r for r in latest.values() if r.status == StepStatus.FAILED]


def cancel(engine: Engine, order_id: str, command: CancelOrder) -> SalesOrder:
    """Cancel the order or some lines; lines in fulfillment or done cannot be canceled."""

    def change(order: SalesOrder, catalog: Catalog) -> list[OutboxMessage]:
        now = engine.clock.now()
        lines = _lines_to_cancel(order, command.line_ids)
        open_lines = [line for line in lines if line.state in OPEN]
        if not open_lines:
            return []  # already canceled: a repeated cancel changes nothing
        engine.fulfillment.release(order, [line.line_id for line in open_lines])
        for line in open_lines:
            line.quantity_canceled = line.quantity - line.quantity_shipped
        whole = command.line_ids is None or len(open_lines) == len(order.active_lines())
        event = BusinessEvent.ORDER_CANCELED if whole else BusinessEvent.LINE_CANCELED
        line_ids = None if whole else [line.line_id for line in open_lines]
        order.raise_event(event, now, line_ids=line_ids, details=command.reason, source="operator")
        return dispatch(order, [event], now, catalog)

    return change_order(engine, order_id, change)


def _lines_to_cancel(order: SalesOrder, line_ids: Sequence[str] | None) -> list[OrderLine]:
    known = {line.line_id: line for line in order.lines}
    if line_ids is not None:
        unknown = [line_id for line_id in line_ids if line_id not in known]
        if unknown:
            message = f"order {order.order_id} has no line {', '.join(unknown)}"
            raise InvalidInput(message, "lineIds")
    targets = [known[i] for i in line_ids] if line_ids is not None else list(order.lines)
    blocked = [line for line in targets if line.state in UNCANCELABLE]
    if blocked:
        why = "; ".join(f"line {b.line_id} is {b.state} / {b.reason}" for b in blocked)
        raise NotAllowed(f"lines in fulfillment or completed cannot be canceled: {why}", "lineIds")
    return targets


def raise_event(
    engine: Engine, order_id: str, event: str, line_ids: Sequence[str] | None, source: str
) -> SalesOrder:
    """Raise a business event from outside (a provider, an operator) and route it."""

    def change(order: SalesOrder, catalog: Catalog) -> list[OutboxMessage]:
        now = engine.clock.now()
        order.raise_event(event, now, line_ids=line_ids, source=source)
        return dispatch(order, [event], now, catalog)

    return change_order(engine, order_id, change)


def fail_poisoned_step(engine: Engine, message: StepMessage) -> None:
    """A step message exhausted its retries: mark the step Failed so reprocess can re-drive it."""
    details = "the step kept failing and its message was moved to the poison queue"

    def change(order: SalesOrder, _catalog: Catalog) -> list[OutboxMessage]:
        latest = order.latest_step_result(step_key(message.flow_id, message.step_id))
        if latest is None or latest.attempt != message.attempt:
            return []
        if latest.status not in (StepStatus.SCHEDULED, StepStatus.RETRYING):
            return []  # already settled (e.g. failed with its reason after the last attempt)
        order.step_results.append(
            latest.model_copy(
                update={"status": StepStatus.FAILED, "details": details, "at": engine.clock.now()}
            )
        )
        return []

    with contextlib.suppress(NotFound):  # the order is gone: only the error log is left to tell
        change_order(engine, message.order_id, change)
    engine.errors.record(
        OperationError(
            error_id="|".join((message.order_id, message.flow_id, message.step_id,
                               str(message.attempt), "poison")),
            kind=ErrorKind.ORCHESTRATION_STEP, at=engine.clock.now(), message=details,
            order_id=message.order_id, flow_id=message.flow_id, step_id=message.step_id,
            attempt=message.attempt, details={"queue": "orchestration-steps-poison"},
        )
    )  # fmt: skip
