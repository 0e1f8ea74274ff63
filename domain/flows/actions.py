"""Action types: their success and failure output events and where they run.

Built-in action types raise fixed events (read-only in IOM's designer); only a Custom action
names its own, falling back to the generic provider-action events. Wait for Event succeeds when
the awaited event arrives and has no failure event: it simply keeps waiting.
"""

from __future__ import annotations

from domain.flows.model import ActionType, FlowDefinition, Step
from domain.orders.events import BusinessEvent as E

_BUILT_IN_EVENTS: dict[ActionType, tuple[str, str | None]] = {
    ActionType.VALIDATE_HEADER: (E.HEADER_VALIDATION_SUCCEEDED, E.HEADER_VALIDATION_FAILED),
    ActionType.VALIDATE_LINES: (E.LINES_VALIDATION_SUCCEEDED, E.LINES_VALIDATION_FAILED),
    ActionType.ASSIGN_BY_POLICY: (E.ASSIGNMENT_SUCCEEDED, E.ASSIGNMENT_FAILED),
    ActionType.SEND_TO_OPTIMIZATION: (E.OPTIMIZATION_SUCCEEDED, E.OPTIMIZATION_FAILED),
    ActionType.SEND_FULFILLMENT_PROCESS_REQUEST: (
        E.PROCESS_REQUEST_SUCCEEDED,
        E.PROCESS_REQUEST_FAILED,
    ),
    ActionType.SEND_TO_FULFILLMENT: (E.SENT_TO_FULFILLMENT, E.SEND_TO_FULFILLMENT_FAILED),
    ActionType.SEND_LINES_TO_BILLING: (E.SENT_TO_BILLING, E.SEND_TO_BILLING_FAILED),
    ActionType.SEND_TO_INVOICE: (E.BILLING_CONFIRMED, E.SEND_TO_INVOICE_FAILED),
    ActionType.WAIT_FOR_EVENT: (E.EVENT_RECEIVED, None),
}

_INTERNAL = frozenset(
    {
        ActionType.VALIDATE_HEADER,
        ActionType.VALIDATE_LINES,
        ActionType.ASSIGN_BY_POLICY,
        ActionType.WAIT_FOR_EVENT,
        # The hub's own optimizer and inventory (IOM's FRO and Internal Application Service).
        ActionType.SEND_TO_OPTIMIZATION,
        ActionType.SEND_FULFILLMENT_PROCESS_REQUEST,
    }
)

# Failures that providers and sourcing raise outside any step's own output events; a
# Condition listening to them must take its "no" branch.
_ALWAYS_FAILURES = frozenset(
    {str(e) for e in E if "failed" in e.value.lower()}
    | {E.ON_HAND_CHECK_FAILED, E.INVENTORY_NOT_FOUND}
)


def output_events(step: Step) -> tuple[str, str | None]:
    """The (success, failure) events an action step raises; failure is None for Wait for Event."""
    if step.action is None:
        raise ValueError(f"step '{step.step_id}' has no action and raises no events")
    if step.action is ActionType.CUSTOM:
        return (
            step.success_event or str(E.PROVIDER_ACTION_SUCCEEDED),
            step.failure_event or str(E.PROVIDER_ACTION_FAILED),
        )
    return _BUILT_IN_EVENTS[step.action]


def is_internal(action: ActionType) -> bool:
    """True when the hub runs the action itself rather than sending it to a provider."""
    return action in _INTERNAL


def is_built_in(action: ActionType) -> bool:
    """True for action types whose output events are fixed (every type but Custom)."""
    return action is not ActionType.CUSTOM


def failure_events(flow: FlowDefinition) -> frozenset[str]:
    """Every failure event a step of the flow can raise plus the hub's known failure events."""
    raised = (output_events(step)[1] for step in flow.steps if step.action is not None)
    return _ALWAYS_FAILURES | {failure for failure in raised if failure is not None}
