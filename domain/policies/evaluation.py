"""Evaluating a policy on an order: which records pass, which rules hold, what they assign.

A policy passes on a record when at least one rule's condition holds; the set-value actions of
every rule that holds are applied in rule order, so a later rule's value for the same field
wins. The records are the order (entity Order), each line that is not canceled (Order product),
each fulfillment order, and each fulfillment order line. Every rule of a policy is tested
against the record as it was before that policy assigned anything: a policy's own assignments
never decide which of its rules hold, while the next policy, whose records are built afresh,
sees them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from domain.filters import FilterValue, compile_filter
from domain.orders.model import Finding, SalesOrder
from domain.orders.transitions import ORDER_ENTITY
from domain.orders.view import (
    fulfillment_order_line_record,
    fulfillment_order_record,
    line_record,
    order_record,
)
from domain.policies.fields import Coerced, Target, assign, find_field
from domain.policies.model import AssociatedEntity, Criticality, Policy, Rule


@dataclass
class RecordResult:
    """The policy's verdict on one record and the values its holding rules assign."""

    record_id: str
    passed: bool
    matched_rules: list[str]
    assigned: dict[str, str]
    message: str | None


@dataclass
class PolicyEvaluation:
    """One policy version evaluated on every record of its entity in one order."""

    policy_id: str
    policy_name: str
    version: int
    critical: bool
    records: list[RecordResult]

    @property
    def passed(self) -> bool:
        """True when every record passed (so also when the order has no such records)."""
        return all(record.passed for record in self.records)

    @property
    def failed_records(self) -> list[RecordResult]:
        """The records no rule holds for."""
        return [record for record in self.records if not record.passed]

    @property
    def any_passed(self) -> bool:
        """True when at least one record passed."""
        return any(record.passed for record in self.records)


@dataclass(frozen=True)
class _Subject:
    """One record to evaluate: its id, how messages name it, the model and its flat record."""

    record_id: str
    label: str
    model: Target
    record: dict[str, FilterValue]


def evaluate_policy(policy: Policy, order: SalesOrder, *, apply_actions: bool) -> PolicyEvaluation:
    """Evaluate the policy on the order's records; with apply_actions, write assigned values.

    `assigned` reports what the holding rules set, whether or not it was written. Conditions
    are compiled once per text (cached); a condition that does not parse raises
    FilterSyntaxError, since policies are validated before they are published.
    """
    subjects = list(_SUBJECTS[policy.entity](order))  # every record read before any assignment
    results = [_evaluate_subject(policy, subject, apply_actions) for subject in subjects]
    return PolicyEvaluation(
        policy_id=policy.policy_id,
        policy_name=policy.name,
        version=policy.version,
        critical=policy.criticality == Criticality.CRITICAL,
        records=results,
    )


def filter_passes(policy: Policy, order: SalesOrder) -> bool:
    """True when the filter policy passes on at least one record of its entity.

    So a step with a line-level filter runs for the order when some line matches; an order
    without records of the entity (no fulfillment orders yet) does not pass.
    """
    return evaluate_policy(policy, order, apply_actions=False).any_passed


def findings(evaluation: PolicyEvaluation) -> dict[str, Finding]:
    """A Finding per failed record, keyed by record id ("order", a line id, a FO id, ...)."""
    return {
        record.record_id: Finding(
            policy_id=evaluation.policy_id,
            policy_name=evaluation.policy_name,
            critical=evaluation.critical,
            message=record.message or f"policy {evaluation.policy_name!r} failed",
        )
        for record in evaluation.failed_records
    }


def _evaluate_subject(policy: Policy, subject: _Subject, apply_actions: bool) -> RecordResult:
    holding = [
        rule for rule in policy.rules if compile_filter(rule.condition).matches(subject.record)
    ]
    # Without apply_actions the values go onto a copy, so the preview coerces and fails alike.
    target = subject.model if apply_actions else subject.model.model_copy()
    assigned: dict[str, str] = {}
    for rule in holding:
        for action in rule.actions:
            value = assign(target, policy.entity, action)
            settable = find_field(policy.entity, action.field)
            assigned[settable.name if settable else action.field] = _display(value)
    message = None if holding else _failure_message(policy, subject.label)
    return RecordResult(
        subject.record_id, bool(holding), [rule.name for rule in holding], assigned, message
    )


def _failure_message(policy: Policy, label: str) -> str:
    rules = "; ".join(_describe(rule) for rule in policy.rules)
    return (
        f"Policy {policy.name!r} ({policy.criticality.value}): no rule holds for {label} "
        f"(rules: {rules})"
    )


def _describe(rule: Rule) -> str:
    return f"{rule.name!r}: {rule.condition}"


def _display(value: Coerced) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _order_subjects(order: SalesOrder) -> Iterator[_Subject]:
    yield _Subject(ORDER_ENTITY, "the order", order, order_record(order))


def _line_subjects(order: SalesOrder) -> Iterator[_Subject]:
    for line in order.active_lines():
        yield _Subject(line.line_id, f"line {line.line_id}", line, line_record(order, line))


def _fulfillment_order_subjects(order: SalesOrder) -> Iterator[_Subject]:
    for fo in order.fulfillment_orders:
        record = fulfillment_order_record(order, fo)
        label = f"fulfillment order {fo.fulfillment_order_id}"
        yield _Subject(fo.fulfillment_order_id, label, fo, record)


def _fulfillment_order_line_subjects(order: SalesOrder) -> Iterator[_Subject]:
    for fo in order.fulfillment_orders:
        for fo_line in fo.lines:
            record_id = f"{fo.fulfillment_order_id}/{fo_line.line_id}"
            record = fulfillment_order_line_record(order, fo, fo_line)
            yield _Subject(record_id, f"fulfillment order line {record_id}", fo_line, record)


_SUBJECTS: dict[AssociatedEntity, Callable[[SalesOrder], Iterator[_Subject]]] = {
    AssociatedEntity.ORDER: _order_subjects,
    AssociatedEntity.ORDER_LINE: _line_subjects,
    AssociatedEntity.FULFILLMENT_ORDER: _fulfillment_order_subjects,
    AssociatedEntity.FULFILLMENT_ORDER_LINE: _fulfillment_order_line_subjects,
}
