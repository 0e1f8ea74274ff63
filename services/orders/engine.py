"""The orchestration engine: binds orders to flows and routes raised events to flow steps.

Steps chain through business events. When an event is raised on an order, each flow the order
runs in routes it (domain.flows.routing); each routed step is recorded as Scheduled and a queue
message is staged in the order's own transaction (the outbox), so state and work never diverge.
A step runs at most once per order (keyed by flow and step) unless an operator reprocesses it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.flows.actions import output_events
from domain.flows.model import ActionType, Flow, Step
from domain.flows.routing import route_event, starts_with, waiting_steps
from domain.orders.events import BusinessEvent
from domain.orders.model import FlowBinding, SalesOrder, StepResult, StepStatus, step_key
from domain.policies.evaluation import filter_passes
from domain.policies.model import Policy, PublishStatus
from services import outbox as outbox_service
from services.errors import StorageUnavailable
from services.orders.ports import (
    ErrorLog,
    FlowRepository,
    FulfillmentActions,
    OrderRepository,
    PolicyRepository,
    ProviderActions,
)
from services.outbox import OutboxMessage, OutboxRecord, OutboxStore
from services.ports import Clock, MessagePublisher

logger = logging.getLogger(__name__)

STEP_QUEUE = "orchestration-steps"
RUN_STEP = "RunStep"


class StepMessage(BaseModel):
    """The queue message that runs one attempt of one step on one order."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    order_id: str = Field(min_length=1)
    flow_id: str = Field(min_length=1)
    flow_version: int = Field(ge=1)
    step_id: str = Field(min_length=1)
    attempt: int = Field(ge=1)
    retry: int = Field(default=0, ge=0)

    def outbox_message(
        self, at: datetime, *, delay_seconds: int = 0, queue: str = STEP_QUEUE
    ) -> OutboxMessage:
        """The outbox row for this message; its id is deterministic so repeats collapse."""
        parts = ("step", self.order_id, self.flow_id, self.step_id, str(self.attempt))
        retry = (f"r{self.retry}",) if self.retry else ()
        suffix = ("poison",) if queue != STEP_QUEUE else ()
        data = self.model_dump(by_alias=True, mode="json")
        return OutboxMessage(
            message_id="|".join((*parts, *retry, *suffix)), queue=queue, type=RUN_STEP,
            data=data, occurred_at=at, delay_seconds=delay_seconds,
        )  # fmt: skip


@dataclass
class Catalog:
    """Flow versions and policies read while handling one message (each read once)."""

    flows: FlowRepository
    policies: PolicyRepository
    _flows: dict[tuple[str, int], Flow | None] = field(default_factory=dict)
    _policies: dict[str, Policy | None] = field(default_factory=dict)

    def flow(self, flow_id: str, version: int) -> Flow | None:
        """The published snapshot of a flow version."""
        key = (flow_id, version)
        if key not in self._flows:
            self._flows[key] = self.flows.get_version(flow_id, version)
        return self._flows[key]

    def published_policy(self, policy_id: str) -> Policy | None:
        """The policy's current version if it is published, else None."""
        if policy_id not in self._policies:
            self._policies[policy_id] = self.policies.get(policy_id)
        policy = self._policies[policy_id]
        return policy if policy is not None and policy.status == PublishStatus.PUBLISHED else None

    def filters_pass(self, step: Step, order: SalesOrder) -> bool:
        """True when every filter policy of the step is published and passes on the order."""
        for policy_id in step.filter_policies:
            policy = self.published_policy(policy_id)
            if policy is None or not filter_passes(policy, order):
                return False
        return True


@dataclass
class Engine:
    """The ports the order use cases work through."""

    orders: OrderRepository
    flows: FlowRepository
    policies: PolicyRepository
    errors: ErrorLog
    providers: ProviderActions
    fulfillment: FulfillmentActions
    outbox: OutboxStore
    publisher: MessagePublisher
    clock: Clock
    retry_base_seconds: int = 5  # first provider retry delay; doubles per retry

    def catalog(self) -> Catalog:
        """A fresh read-through cache of flows and policies for one unit of work."""
        return Catalog(self.flows, self.policies)

    def relay(self, records: Sequence[OutboxRecord]) -> None:
        """Send committed messages now; if the queue is down the sweeper sends them later."""
        try:
            outbox_service.relay(records, self.outbox, self.publisher, self.clock)
        except StorageUnavailable as err:
            logger.warning("relay deferred to the outbox sweeper: %s", err)

    def start_flows(self, order: SalesOrder, now: datetime) -> list[OutboxMessage]:
        """Bind a new order to every published flow that starts on New Order and admits it."""
        catalog = self.catalog()
        event = BusinessEvent.NEW_ORDER
        for flow in sorted(self.flows.list(), key=lambda f: f.name):
            if flow.status != PublishStatus.PUBLISHED or not starts_with(flow, event):
                continue
            snapshot = catalog.flow(flow.flow_id, flow.version)
            if snapshot is None:
                continue
            routing = route_event(snapshot, event, lambda s: catalog.filters_pass(s, order))
            if routing.routes:
                order.flows.append(
                    FlowBinding(
                        flow_id=flow.flow_id, flow_version=flow.version, flow_name=flow.name
                    )
                )
        return dispatch(order, [event], now, catalog)


def dispatch(
    order: SalesOrder, events: Iterable[str], now: datetime, catalog: Catalog
) -> list[OutboxMessage]:
    """Route already-raised events through the order's flows; return the step messages."""
    messages: list[OutboxMessage] = []
    pending = deque(events)
    while pending:
        event = pending.popleft()
        for binding in order.flows:
            flow = catalog.flow(binding.flow_id, binding.flow_version)
            if flow is None:
                continue
            pending.extend(_complete_waits(order, flow, event, now))
            routing = route_event(flow, event, lambda s: catalog.filters_pass(s, order))
            for route in routing.routes:
                message, raised = _schedule(order, flow, route.step, event, now)
                messages.extend([message] if message else [])
                pending.extend(raised)
            for step in routing.filtered_out:
                _record_skip(order, flow, step, event, now)
    return messages


def _schedule(
    order: SalesOrder, flow: Flow, step: Step, event: str, now: datetime
) -> tuple[OutboxMessage | None, list[str]]:
    latest = order.latest_step_result(step_key(flow.flow_id, step.step_id))
    if latest is not None and latest.status != StepStatus.SKIPPED:
        return None, []  # a step runs once per order; reprocess re-runs failed ones
    attempt = latest.attempt + 1 if latest is not None else 1
    if step.action == ActionType.WAIT_FOR_EVENT:
        return None, _start_wait(order, flow, step, event, attempt, now)
    record(order, flow, step, attempt, StepStatus.SCHEDULED, now, triggered_by=event)
    message = StepMessage(
        order_id=order.order_id, flow_id=flow.flow_id, flow_version=flow.version,
        step_id=step.step_id, attempt=attempt,
    )  # fmt: skip
    return message.outbox_message(now), []


def _start_wait(
    order: SalesOrder, flow: Flow, step: Step, event: str, attempt: int, now: datetime
) -> list[str]:
    if step.wait_for is not None and step.wait_for in order.events_seen:
        return _finish_wait(order, flow, step, attempt, now, event)
    detail = f"waiting for {step.wait_for!r}"
    record(order, flow, step, attempt, StepStatus.WAITING, now, detail, triggered_by=event)
    return []


def _complete_waits(order: SalesOrder, flow: Flow, event: str, now: datetime) -> list[str]:
    raised: list[str] = []
    for step in waiting_steps(flow, event):
        latest = order.latest_step_result(step_key(flow.flow_id, step.step_id))
        if latest is not None and latest.status == StepStatus.WAITING:
            raised += _finish_wait(order, flow, step, latest.attempt, now, event)
    return raised


def _finish_wait(
    order: SalesOrder, flow: Flow, step: Step, attempt: int, now: datetime, trigger: str
) -> list[str]:
    success, _ = output_events(step)
    detail = f"{step.wait_for!r} received"
    record(order, flow, step, attempt, StepStatus.SUCCEEDED, now, detail, triggered_by=trigger)
    order.raise_event(success, now, details=detail, source=source_of(flow, step))
    return [success]


def _record_skip(order: SalesOrder, flow: Flow, step: Step, event: str, now: datetime) -> None:
    if order.latest_step_result(step_key(flow.flow_id, step.step_id)) is not None:
        return
    detail = "a filter policy of the step did not pass (or is not published)"
    record(order, flow, step, 1, StepStatus.SKIPPED, now, detail, triggered_by=event)


def record(
    order: SalesOrder,
    flow: Flow,
    step: Step,
    attempt: int,
    status: StepStatus,
    now: datetime,
    details: str | None = None,
    *,
    triggered_by: str | None = None,
) -> StepResult:
    """Append a step result to the order."""
    result = StepResult(
        flow_id=flow.flow_id, flow_version=flow.version, step_id=step.step_id,
        step_name=step.name, attempt=attempt, status=status, details=details,
        triggered_by=triggered_by, at=now,
    )  # fmt: skip
    order.step_results.append(result)
    return result


def source_of(flow: Flow, step: Step) -> str:
    """How the timeline names the step that raised an event."""
    return f"{flow.name} / {step.name}"
