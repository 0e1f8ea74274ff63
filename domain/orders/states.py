"""The state framework: states, status reasons and the transition table keyed by event.

Mirrors IOM's State Transition table: for each business event, the allowed source states and the
target state and reason, separately for the order header and for its lines. An event with no
entry changes nothing and is not an error; an entry whose allowed sources do not include the
current state records a transition error and leaves the state alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.orders.events import BusinessEvent as E


class OrderState(StrEnum):
    """State of an order header or of an order line (IOM uses one set for both)."""

    NEW = "New"
    IN_PROGRESS = "In Progress"
    ON_HOLD = "On Hold"
    FULFILLMENT_IN_PROCESS = "Fulfillment in Process"
    COMPLETED = "Completed"
    CANCELED = "Canceled"


class Reason(StrEnum):
    """Status reasons, IOM's names where it has them."""

    NEW = "New"
    ORDER_VALIDATION_SUCCESS = "Order Validation Success"
    ORDER_VALIDATION_FAILED = "Order Validation Failed"
    LINE_VALIDATION_SUCCESS = "Order Line Validation Success"
    LINE_VALIDATION_FAILED = "Order Line Validation Failed"
    READY_TO_BE_FULFILLED = "Ready to be Fulfilled"
    ASSIGNMENT_FAILED = "Assignment Failed"
    FULFILLMENT_DETERMINED = "Fulfillment Determined"
    INVENTORY_CHECK_SUCCESSFUL = "Inventory Check Successful"
    BACKORDER_HOLD = "Backorder Hold"
    PREORDER_HOLD = "Preorder Hold"
    INVENTORY_NOT_FOUND = "Inventory not found"
    BACKORDER_RELEASED = "Backorder Released"
    FULFILLMENT_ORDER_CREATED = "Fulfillment Order Created"
    SENT_TO_FULFILLMENT = "Sent To Fulfillment"
    PICKED = "Picked"
    PACKED = "Packed"
    FULFILLED = "Fulfilled"
    CANCELED = "Canceled"


S = OrderState
OPEN = frozenset({S.NEW, S.IN_PROGRESS, S.ON_HOLD})
TERMINAL = frozenset({S.COMPLETED, S.CANCELED})
# Lines in these states are with a fulfillment provider (or done): they cannot be canceled here.
UNCANCELABLE = frozenset({S.FULFILLMENT_IN_PROCESS, S.COMPLETED})


@dataclass(frozen=True)
class Transition:
    """Allowed source states and the target state and reason for one event on one entity."""

    sources: frozenset[OrderState]
    target: OrderState
    reason: Reason


@dataclass(frozen=True)
class EventRule:
    """How one event moves the header and the lines.

    With `rollup`, the header moves only once every line that is not canceled has reached the
    line target (IOM's "aggregated order event"), so one picked line does not mark the order.
    """

    header: Transition | None = None
    line: Transition | None = None
    rollup: bool = False


def _t(sources: set[OrderState], target: OrderState, reason: Reason) -> Transition:
    return Transition(frozenset(sources), target, reason)


_PROCESSING = {S.IN_PROGRESS, S.FULFILLMENT_IN_PROCESS}
_FULFILLING = {S.NEW, S.IN_PROGRESS, S.ON_HOLD, S.FULFILLMENT_IN_PROCESS}

TRANSITIONS: dict[str, EventRule] = {
    E.HEADER_VALIDATION_SUCCEEDED: EventRule(
        header=_t(set(OPEN), S.IN_PROGRESS, Reason.ORDER_VALIDATION_SUCCESS)
    ),
    E.HEADER_VALIDATION_FAILED: EventRule(
        header=_t(set(OPEN), S.ON_HOLD, Reason.ORDER_VALIDATION_FAILED)
    ),
    E.LINES_VALIDATION_SUCCEEDED: EventRule(
        header=_t(set(OPEN), S.IN_PROGRESS, Reason.LINE_VALIDATION_SUCCESS),
        line=_t(set(OPEN), S.IN_PROGRESS, Reason.LINE_VALIDATION_SUCCESS),
    ),
    # The order as a whole failed validation; each failing line says why in its own reason.
    E.LINES_VALIDATION_FAILED: EventRule(
        header=_t(set(OPEN), S.ON_HOLD, Reason.ORDER_VALIDATION_FAILED),
        line=_t(set(OPEN), S.ON_HOLD, Reason.LINE_VALIDATION_FAILED),
    ),
    E.ASSIGNMENT_SUCCEEDED: EventRule(
        header=_t({S.IN_PROGRESS, S.ON_HOLD}, S.IN_PROGRESS, Reason.READY_TO_BE_FULFILLED),
        line=_t({S.NEW, S.IN_PROGRESS, S.ON_HOLD}, S.IN_PROGRESS, Reason.READY_TO_BE_FULFILLED),
    ),
    E.ASSIGNMENT_FAILED: EventRule(
        header=_t({S.NEW, S.IN_PROGRESS, S.ON_HOLD}, S.ON_HOLD, Reason.ASSIGNMENT_FAILED)
    ),
    E.OPTIMIZATION_SUCCEEDED: EventRule(
        header=_t({S.IN_PROGRESS, S.ON_HOLD}, S.IN_PROGRESS, Reason.FULFILLMENT_DETERMINED)
    ),
    E.ON_HAND_CHECK_SUCCEEDED: EventRule(
        header=_t(
            {S.IN_PROGRESS, S.ON_HOLD}, S.FULFILLMENT_IN_PROCESS, Reason.INVENTORY_CHECK_SUCCESSFUL
        )
    ),
    E.ON_HAND_CHECK_FAILED: EventRule(header=_t({S.IN_PROGRESS}, S.ON_HOLD, Reason.BACKORDER_HOLD)),
    E.INVENTORY_NOT_FOUND: EventRule(
        header=_t({S.IN_PROGRESS, S.ON_HOLD}, S.ON_HOLD, Reason.INVENTORY_NOT_FOUND),
        line=_t({S.NEW, S.IN_PROGRESS, S.ON_HOLD}, S.ON_HOLD, Reason.INVENTORY_NOT_FOUND),
    ),
    E.LINE_BACKORDERED: EventRule(
        header=_t({S.IN_PROGRESS, S.ON_HOLD}, S.ON_HOLD, Reason.BACKORDER_HOLD),
        line=_t({S.NEW, S.IN_PROGRESS, S.ON_HOLD}, S.ON_HOLD, Reason.BACKORDER_HOLD),
        rollup=True,
    ),
    E.LINE_PREORDERED: EventRule(
        header=_t({S.NEW, S.IN_PROGRESS, S.ON_HOLD}, S.ON_HOLD, Reason.PREORDER_HOLD),
        line=_t({S.NEW, S.IN_PROGRESS, S.ON_HOLD}, S.ON_HOLD, Reason.PREORDER_HOLD),
        rollup=True,
    ),
    E.BACKORDER_RELEASED: EventRule(
        header=_t({S.ON_HOLD, S.IN_PROGRESS}, S.IN_PROGRESS, Reason.BACKORDER_RELEASED),
        line=_t({S.ON_HOLD}, S.IN_PROGRESS, Reason.BACKORDER_RELEASED),
    ),
    E.FULFILLMENT_ORDER_CREATED: EventRule(
        header=_t(set(_FULFILLING), S.FULFILLMENT_IN_PROCESS, Reason.FULFILLMENT_ORDER_CREATED),
        line=_t(set(_FULFILLING), S.FULFILLMENT_IN_PROCESS, Reason.FULFILLMENT_ORDER_CREATED),
        rollup=True,
    ),
    E.SENT_TO_FULFILLMENT: EventRule(
        header=_t(set(_FULFILLING), S.FULFILLMENT_IN_PROCESS, Reason.SENT_TO_FULFILLMENT),
        line=_t(set(_FULFILLING), S.FULFILLMENT_IN_PROCESS, Reason.SENT_TO_FULFILLMENT),
        rollup=True,
    ),
    E.PICKED: EventRule(
        header=_t(set(_PROCESSING), S.FULFILLMENT_IN_PROCESS, Reason.PICKED),
        line=_t(set(_PROCESSING), S.FULFILLMENT_IN_PROCESS, Reason.PICKED),
        rollup=True,
    ),
    E.PACKED: EventRule(
        header=_t(set(_PROCESSING), S.FULFILLMENT_IN_PROCESS, Reason.PACKED),
        line=_t(set(_PROCESSING), S.FULFILLMENT_IN_PROCESS, Reason.PACKED),
        rollup=True,
    ),
    # IOM reports shipped lines as Packed (Fulfillment in Process / Packed) until invoiced.
    E.SHIPPED: EventRule(
        header=_t(set(_PROCESSING), S.FULFILLMENT_IN_PROCESS, Reason.PACKED),
        line=_t(set(_PROCESSING), S.FULFILLMENT_IN_PROCESS, Reason.PACKED),
        rollup=True,
    ),
    E.INVOICED: EventRule(
        header=_t(set(_PROCESSING), S.COMPLETED, Reason.FULFILLED),
        line=_t(set(_PROCESSING), S.COMPLETED, Reason.FULFILLED),
        rollup=True,
    ),
    E.ORDER_CANCELED: EventRule(
        header=_t(set(OPEN), S.CANCELED, Reason.CANCELED),
        line=_t(set(OPEN), S.CANCELED, Reason.CANCELED),
    ),
    E.LINE_CANCELED: EventRule(
        header=_t(set(OPEN), S.CANCELED, Reason.CANCELED),
        line=_t(set(OPEN), S.CANCELED, Reason.CANCELED),
        rollup=True,
    ),
}


@dataclass(frozen=True)
class StateChange:
    """One state change made by an event: entity (`order` or a line id), from, to and reason."""

    entity: str
    from_state: OrderState
    from_reason: str
    to_state: OrderState
    to_reason: str


@dataclass(frozen=True)
class TransitionError:
    """An event arrived while the entity was in a state its transition does not allow."""

    entity: str
    event: str
    state: OrderState
    message: str


@dataclass
class TransitionOutcome:
    """What applying one event did: the changes made and the disallowed transitions refused."""

    changes: list[StateChange] = field(default_factory=list)
    errors: list[TransitionError] = field(default_factory=list)
