"""What an action step does to an order: execution policies, then the action itself.

Execution policies run first and may set values. A failing Critical policy fails the step (and
no provider is called); a failing Information policy is recorded as a finding and the step
goes on. Validation steps add the hub's own checks as Critical findings; lines that fail are
named in the failure event so each gets its own reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.flows.actions import is_internal
from domain.flows.model import ActionType, Step
from domain.orders.model import Finding, SalesOrder
from domain.orders.transitions import ORDER_ENTITY
from domain.policies.evaluation import PolicyEvaluation, evaluate_policy, findings
from services.orders.engine import Catalog
from services.orders.ports import FulfillmentActions, ProviderActions

BUILTIN_POLICY_ID = "builtin"
_FULFILLMENT = frozenset(
    {ActionType.SEND_TO_OPTIMIZATION, ActionType.SEND_FULFILLMENT_PROCESS_REQUEST}
)


@dataclass(frozen=True)
class ActionPorts:
    """What an action may call: providers, the hub's fulfillment, the time and the call key."""

    providers: ProviderActions
    fulfillment: FulfillmentActions
    now: datetime
    key: str


_BUILTIN_NAME = "Built-in checks"


@dataclass
class ActionOutcome:
    """The step's result: success, readable details, failing lines and policy evaluations."""

    succeeded: bool
    details: str
    failed_line_ids: list[str] = field(default_factory=list)
    evaluations: list[PolicyEvaluation] = field(default_factory=list)
    provider_failure: bool = False
    transient: bool = False
    retry_after: float | None = None
    max_attempts: int = 1
    line_events: list[tuple[str, list[str]]] = field(default_factory=list)


def perform(step: Step, order: SalesOrder, catalog: Catalog, ports: ActionPorts) -> ActionOutcome:
    """Run the step's execution policies and its action on the order."""
    policy_ids = [*step.execution_policies, BUILTIN_POLICY_ID]
    _clear_findings(order, policy_ids)
    evaluations: list[PolicyEvaluation] = []
    for policy_id in step.execution_policies:
        policy = catalog.published_policy(policy_id)
        if policy is None:
            detail = f"execution policy {policy_id!r} is not published"
            return ActionOutcome(False, detail, evaluations=evaluations)
        evaluation = evaluate_policy(policy, order, apply_actions=True)
        _attach(order, evaluation)
        evaluations.append(evaluation)
    _builtin_checks(step, order)
    failed = _critical_failures(order, policy_ids)
    if failed:
        return _failed(step, failed, evaluations)
    if step.action == ActionType.ASSIGN_BY_POLICY:
        _mark_ready(order)
    if step.action in _FULFILLMENT:
        done = ports.fulfillment.perform(step, order, ports.now)
        return ActionOutcome(
            done.succeeded, done.details, evaluations=evaluations, line_events=done.line_events
        )
    if step.action is not None and not is_internal(step.action):
        result = ports.providers.execute(step, order, ports.key)
        details = result.details or ("provider action completed" if result.succeeded else "")
        return ActionOutcome(
            result.succeeded, details or "provider action failed", evaluations=evaluations,
            provider_failure=not result.succeeded, transient=result.transient,
            retry_after=result.retry_after, max_attempts=result.max_attempts,
        )  # fmt: skip
    return ActionOutcome(True, _success_details(evaluations), evaluations=evaluations)


def _failed(
    step: Step, failed: dict[str, list[Finding]], evals: list[PolicyEvaluation]
) -> ActionOutcome:
    line_ids = [record_id for record_id in failed if record_id != ORDER_ENTITY]
    lines = "; ".join(f"{rid}: {f.message}" for rid, fs in failed.items() for f in fs)
    if step.action == ActionType.VALIDATE_HEADER:
        line_ids = []  # header validation fails the order, not its lines
    return ActionOutcome(False, f"critical policy failed - {lines}", line_ids, evals)


def _success_details(evaluations: list[PolicyEvaluation]) -> str:
    notes = [
        f"{e.policy_name}: {len(e.failed_records)} record(s) failed (Information)"
        for e in evaluations
        if not e.passed
    ]
    applied = ", ".join(e.policy_name for e in evaluations) or "no execution policies"
    return f"applied {applied}" + (f"; {'; '.join(notes)}" if notes else "")


def _attach(order: SalesOrder, evaluation: PolicyEvaluation) -> None:
    for record_id, finding in findings(evaluation).items():
        _add_finding(order, record_id, finding)


def _add_finding(order: SalesOrder, record_id: str, finding: Finding) -> None:
    if record_id == ORDER_ENTITY:
        order.findings.append(finding)
        return
    try:
        order.line(record_id).findings.append(finding)
    except KeyError:
        order.findings.append(finding)  # fulfillment order records report on the header


def _clear_findings(order: SalesOrder, policy_ids: list[str]) -> None:
    # A re-run replaces what the same policies said last time, so fixed problems disappear.
    order.findings = [f for f in order.findings if f.policy_id not in policy_ids]
    for line in order.lines:
        line.findings = [f for f in line.findings if f.policy_id not in policy_ids]


def _critical_failures(order: SalesOrder, policy_ids: list[str]) -> dict[str, list[Finding]]:
    # Only this step's policies count: findings of earlier steps are history, not this verdict.
    failed: dict[str, list[Finding]] = {}
    header = [f for f in order.findings if f.critical and f.policy_id in policy_ids]
    if header:
        failed[ORDER_ENTITY] = header
    for line in order.active_lines():
        critical = [f for f in line.findings if f.critical and f.policy_id in policy_ids]
        if critical:
            failed[line.line_id] = critical
    return failed


def _builtin(message: str) -> Finding:
    return Finding(
        policy_id=BUILTIN_POLICY_ID, policy_name=_BUILTIN_NAME, critical=True, message=message
    )


def _builtin_checks(step: Step, order: SalesOrder) -> None:
    if step.action == ActionType.VALIDATE_HEADER:
        for message in _header_problems(order):
            order.findings.append(_builtin(message))
    if step.action == ActionType.VALIDATE_LINES:
        for line in order.active_lines():
            if line.product_id is None and line.write_in_product is None:
                line.findings.append(_builtin("the line names no product"))
            if line.quantity <= 0:
                line.findings.append(_builtin("quantity must be positive"))


def _header_problems(order: SalesOrder) -> list[str]:
    problems: list[str] = []
    expected = order.expected_line_count
    if expected is not None and expected != len(order.lines):
        problems.append(f"expected {expected} lines, received {len(order.lines)} (incomplete)")
    if not order.active_lines():
        problems.append("the order has no open lines")
    if not order.ship_to.country:
        problems.append("the ship-to address has no country")
    return problems


def _mark_ready(order: SalesOrder) -> None:
    # IOM sets the ready flag once company and invoice customer (header) and company, site
    # and warehouse (lines) are assigned; the sync filters test exactly these.
    order.ready_to_sync = order.company is not None and order.invoice_customer_id is not None
    for line in order.active_lines():
        line.ready_to_sync = None not in (line.company, line.shipping_site, line.shipping_warehouse)
