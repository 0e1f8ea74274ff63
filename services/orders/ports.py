"""Ports of the order use cases: repositories, the error log and provider actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from domain.flows.model import Flow, Step
from domain.orders.model import RaisedEvent, SalesOrder
from domain.orders.states import OrderState
from domain.policies.model import Policy
from services.outbox import OutboxMessage, OutboxRecord


@dataclass
class LoadedOrder:
    """An order as read, with the repository's opaque concurrency handle (ETag and layout)."""

    order: SalesOrder
    handle: object = None


@dataclass(frozen=True)
class OrderQuery:
    """Operator list filters; all optional and combined with `and`."""

    state: OrderState | None = None
    reason: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    channel: str | None = None


@dataclass(frozen=True)
class OrderSummary:
    """One row of the operator's order list."""

    order_id: str
    channel: str
    external_order_id: str
    state: str
    reason: str
    created_at: datetime
    updated_at: datetime
    line_count: int
    currency: str


@dataclass(frozen=True)
class OrderPage:
    """A page of order summaries and the token for the next page (None at the end)."""

    orders: list[OrderSummary]
    continuation: str | None


class OrderRepository(Protocol):
    """Orders, one per partition: header, lines, timeline events and outbox rows together."""

    def get(self, order_id: str) -> LoadedOrder | None:
        """The order, or None."""
        ...

    def add(self, order: SalesOrder, messages: Sequence[OutboxMessage]) -> list[OutboxRecord]:
        """Store a new order, its raised events and messages in one transaction.

        Raises EntityAlreadyExists when an order with that id exists; clears `order.raised`.
        """
        ...

    def save(self, loaded: LoadedOrder, messages: Sequence[OutboxMessage]) -> list[OutboxRecord]:
        """Store the changed order, its raised events and messages in one transaction.

        Conditional on the order being unchanged since it was loaded (else ConcurrencyConflict);
        refreshes `loaded.handle` and clears `order.raised`.
        """
        ...

    def timeline(self, order_id: str) -> list[RaisedEvent]:
        """Every business event raised on the order, in order."""
        ...

    def list(self, query: OrderQuery, continuation: str | None, limit: int) -> OrderPage:
        """Orders matching the query, a page at a time."""
        ...


class PolicyRepository(Protocol):
    """Policies: the current version of each, and the archived versions behind it."""

    def get(self, policy_id: str) -> Policy | None:
        """The current version, or None."""
        ...

    def versions(self, policy_id: str) -> list[Policy]:
        """Every version, oldest first."""
        ...

    def list(self) -> list[Policy]:
        """The current version of every policy."""
        ...

    def add(self, policy: Policy) -> None:
        """Store a new policy (EntityAlreadyExists if the id is taken)."""
        ...

    def save(self, policy: Policy, expected: Policy) -> None:
        """Replace the current version in place; ConcurrencyConflict unless it is `expected`."""
        ...

    def add_version(self, new: Policy, archived: Policy) -> None:
        """Make `new` the current version and keep `archived` (the previous one) as history."""
        ...

    def delete(self, policy_id: str) -> None:
        """Remove the policy and its versions."""
        ...


class FlowRepository(Protocol):
    """Flows: the editable definition and an immutable snapshot per published version."""

    def get(self, flow_id: str) -> Flow | None:
        """The flow's current definition and status, or None."""
        ...

    def get_version(self, flow_id: str, version: int) -> Flow | None:
        """The snapshot taken when that version was published."""
        ...

    def list(self) -> list[Flow]:
        """Every flow's current definition."""
        ...

    def add(self, flow: Flow) -> None:
        """Store a new flow (EntityAlreadyExists if the id is taken)."""
        ...

    def save(self, flow: Flow, expected: Flow) -> None:
        """Replace the definition; ConcurrencyConflict unless the stored one is `expected`."""
        ...

    def publish(self, flow: Flow, expected: Flow) -> None:
        """Store the snapshot of `flow.version`, then the definition (conditional on expected)."""
        ...

    def delete(self, flow_id: str) -> None:
        """Remove the flow's definition (published snapshots stay for running orders)."""
        ...


class ErrorKind(StrEnum):
    """The operator's error lists (IOM: inbound, provider action, orchestration step, policy)."""

    INBOUND = "Inbound"
    PROVIDER_ACTION = "Provider action"
    ORCHESTRATION_STEP = "Orchestration step"
    POLICY = "Policy"
    SYNC = "Sync"


@dataclass(frozen=True)
class OperationError:
    """Something an operator must look at; `error_id` is deterministic so retries overwrite."""

    error_id: str
    kind: ErrorKind
    at: datetime
    message: str
    order_id: str | None = None
    flow_id: str | None = None
    step_id: str | None = None
    policy_id: str | None = None
    attempt: int | None = None
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ErrorPage:
    """A page of errors, newest first."""

    errors: list[OperationError]
    continuation: str | None


class ErrorLog(Protocol):
    """Where errors are recorded for operators."""

    def record(self, error: OperationError) -> None:
        """Store the error (idempotent by error id)."""
        ...

    def list(
        self, kind: ErrorKind | None, order_id: str | None, continuation: str | None, limit: int
    ) -> ErrorPage:
        """Errors, newest first, optionally of one kind or one order."""
        ...


@dataclass(frozen=True)
class ActionResult:
    """The outcome of a provider action: IOM's ExecutionResult and ExecutionDetails."""

    succeeded: bool
    details: str | None = None
    transient: bool = False  # worth trying again later
    retry_after: float | None = None  # seconds the provider asked us to wait
    max_attempts: int = 1  # the action's attempt budget


@dataclass
class FulfillmentOutcome:
    """A fulfillment action's verdict and the line events to raise after the step's own."""

    succeeded: bool
    details: str
    line_events: list[tuple[str, list[str]]] = field(default_factory=list)


class FulfillmentActions(Protocol):
    """The hub's own fulfillment determination (optimizer, policy-based process request)."""

    def perform(self, step: Step, order: SalesOrder, now: datetime) -> FulfillmentOutcome:
        """Run the step's fulfillment action on the order."""
        ...

    def release(self, order: SalesOrder, line_ids: Sequence[str]) -> None:
        """Give back the stock reserved for these lines (idempotent)."""
        ...


class ProviderActions(Protocol):
    """Runs external provider actions (fulfillment, billing, invoicing, custom)."""

    def execute(self, step: Step, order: SalesOrder, idempotency_key: str) -> ActionResult:
        """Run the step's action for the order; the key is stable across retries."""
        ...
