"""Applying a business event to an order and its lines through the transition table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from domain.orders.states import (
    TRANSITIONS,
    OrderState,
    StateChange,
    Transition,
    TransitionError,
    TransitionOutcome,
)

if TYPE_CHECKING:
    from domain.orders.model import OrderLine, SalesOrder

ORDER_ENTITY = "order"


def apply_transitions(
    order: SalesOrder, event: str, line_ids: Sequence[str] | None
) -> TransitionOutcome:
    """Move the targeted lines, then the header, as the transition table says."""
    outcome = TransitionOutcome()
    rule = TRANSITIONS.get(event)
    if rule is None:
        return outcome  # no transition for this event: nothing changes, no error
    targets = _targeted(order, line_ids)
    if rule.line is not None:
        for line in targets:
            _move(line, line.line_id, event, rule.line, outcome)
    if rule.header is not None and _header_due(order, rule.line, rule.rollup):
        _move(order, ORDER_ENTITY, event, rule.header, outcome)
    return outcome


def _targeted(order: SalesOrder, line_ids: Sequence[str] | None) -> Iterable[OrderLine]:
    if line_ids is None:
        return list(order.lines)
    wanted = set(line_ids)
    return [line for line in order.lines if line.line_id in wanted]


def _header_due(order: SalesOrder, line_rule: Transition | None, rollup: bool) -> bool:
    if not rollup or line_rule is None:
        return True
    active = order.active_lines() if line_rule.target != OrderState.CANCELED else order.lines
    return all(
        line.state == line_rule.target and line.reason == line_rule.reason for line in active
    )


def _move(
    entity: SalesOrder | OrderLine,
    name: str,
    event: str,
    transition: Transition,
    outcome: TransitionOutcome,
) -> None:
    current = entity.state
    if current not in transition.sources:
        allowed = ", ".join(sorted(transition.sources))
        message = (
            f"{str(event)!r} cannot move {name} from {current.value!r} "
            f"(allowed from: {allowed}); state left unchanged"
        )
        outcome.errors.append(TransitionError(name, event, current, message))
        return
    if current == transition.target and entity.reason == transition.reason:
        return  # already there: a repeated event changes nothing
    outcome.changes.append(
        StateChange(name, current, entity.reason, transition.target, transition.reason)
    )
    entity.state = transition.target
    entity.reason = transition.reason


def change_record(change: StateChange) -> dict[str, str]:
    """A state change as the timeline shows it."""
    return {
        "entity": change.entity,
        "from": f"{change.from_state} / {change.from_reason}",
        "to": f"{change.to_state} / {change.to_reason}",
    }
