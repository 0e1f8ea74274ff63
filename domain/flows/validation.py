"""Flow definition rules, checked in full before publishing so operators see every problem.

Fields are dotted camelCase paths as on the wire (`steps.2.branches.0.stepId`).

A flow must have a step whose input events include "New Order": an order enters a flow when it
is created, so a flow whose steps hear only later events would never receive an order. Loops
made of events alone are allowed (re-assignment after a released backorder is one), but a loop
that passes through a control step's branch is not: a Condition or Splitter would route the
same order round it forever. Branches do not merge, so a step is the target of one branch at
most.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from domain.errors import InvalidDefinition, Problem
from domain.flows.actions import is_built_in, output_events
from domain.flows.model import ActionType, FlowDefinition, Step, StepKind
from domain.orders.events import BusinessEvent

_CONDITION_BRANCHES = ["no", "yes"]

# Control steps only route; these fields would silently do nothing on them.
_UNUSED_ON_CONTROL = (
    ("action", "action"),
    ("filter_policies", "filterPolicies"),
    ("execution_policies", "executionPolicies"),
    ("provider", "provider"),
    ("provider_action", "providerAction"),
    ("wait_for", "waitFor"),
    ("success_event", "successEvent"),
    ("failure_event", "failureEvent"),
)


def validate_flow(defn: FlowDefinition) -> None:
    """Raise InvalidDefinition listing every problem with the definition."""
    problems = flow_problems(defn)
    if problems:
        raise InvalidDefinition(problems)


def flow_problems(defn: FlowDefinition) -> list[Problem]:
    """Every problem with the definition; empty when it may be published."""
    problems = list(_duplicate_ids(defn.steps))
    for i, step in enumerate(defn.steps):
        problems += _action_problems(i, step) if _is_action(step) else _control_problems(i, step)
    problems += _branch_target_problems(defn.steps)
    problems += _input_event_problems(defn.steps)
    problems += _start_problems(defn.steps)
    problems += _cycle_problems(defn.steps)
    return problems


def referenced_policies(defn: FlowDefinition) -> set[str]:
    """Ids of every filter and execution policy the flow's steps use."""
    return {p for step in defn.steps for p in (*step.filter_policies, *step.execution_policies)}


def _at(i: int, field: str) -> str:
    return f"steps.{i}.{field}"


def _is_action(step: Step) -> bool:
    return step.kind is StepKind.ACTION


def _duplicate_ids(steps: list[Step]) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, step in enumerate(steps):
        if step.step_id in first:
            message = f"duplicate step id '{step.step_id}' (also steps.{first[step.step_id]})"
            yield Problem(_at(i, "stepId"), message)
        first.setdefault(step.step_id, i)


def _action_problems(i: int, step: Step) -> Iterator[Problem]:
    if step.branches:
        yield Problem(_at(i, "branches"), "only Condition and Splitter steps have branches")
    if step.action is None:
        yield Problem(_at(i, "action"), "an Action step needs an action type")
        return
    if step.action is ActionType.CUSTOM:
        if not step.provider:
            yield Problem(_at(i, "provider"), "a Custom action needs a provider")
        if not step.provider_action:
            yield Problem(_at(i, "providerAction"), "a Custom action needs a provider action")
    if step.action is ActionType.WAIT_FOR_EVENT and not step.wait_for:
        yield Problem(_at(i, "waitFor"), "Wait for Event needs the event to wait for")
    if is_built_in(step.action):
        yield from _read_only_events(i, step)


def _read_only_events(i: int, step: Step) -> Iterator[Problem]:
    message = f"output events of '{step.action}' are read-only; only Custom actions set them"
    if step.success_event is not None:
        yield Problem(_at(i, "successEvent"), message)
    if step.failure_event is not None:
        yield Problem(_at(i, "failureEvent"), message)


def _control_problems(i: int, step: Step) -> Iterator[Problem]:
    for attr, field in _UNUSED_ON_CONTROL:
        if getattr(step, attr):
            message = f"a {step.kind} step only routes; it takes no {field}"
            yield Problem(_at(i, field), message)
    if step.kind is StepKind.CONDITION:
        names = sorted(b.name.casefold() for b in step.branches)
        if names != _CONDITION_BRANCHES:
            message = "a Condition has exactly two branches, 'yes' and 'no'"
            yield Problem(_at(i, "branches"), message)
        return
    if len(step.branches) < 2:
        yield Problem(_at(i, "branches"), "a Splitter needs at least two branches")
    seen: set[str] = set()
    for k, branch in enumerate(step.branches):
        if branch.name.casefold() in seen:
            message = f"duplicate branch name '{branch.name}'"
            yield Problem(_at(i, f"branches.{k}.name"), message)
        seen.add(branch.name.casefold())


def _branch_target_problems(steps: list[Step]) -> Iterator[Problem]:
    by_id = {step.step_id: step for step in reversed(steps)}
    taken: dict[str, str] = {}
    for i, step in enumerate(steps):
        if _is_action(step):
            continue
        for k, branch in enumerate(step.branches):
            path = _at(i, f"branches.{k}")
            message = _target_problem(step, branch.step_id, by_id, taken)
            if message is not None:
                yield Problem(f"{path}.stepId", message)
            taken.setdefault(branch.step_id, path)


def _target_problem(
    control: Step, target_id: str, by_id: dict[str, Step], taken: dict[str, str]
) -> str | None:
    target = by_id.get(target_id)
    if target is None:
        return f"no step '{target_id}' in the flow"
    if target is control:
        return "a branch may not lead to its own step"
    if not _is_action(target):
        return f"branch target '{target_id}' is not an Action step"
    if target_id in taken:
        return f"branches do not merge: '{target_id}' is already reached by {taken[target_id]}"
    return None


def _branch_targets(steps: list[Step]) -> set[str]:
    return {b.step_id for step in steps if not _is_action(step) for b in step.branches}


def _input_event_problems(steps: list[Step]) -> Iterator[Problem]:
    reached_by_branch = _branch_targets(steps)
    for i, step in enumerate(steps):
        if not step.input_events and step.step_id not in reached_by_branch:
            message = "a step needs at least one input event unless a branch leads to it"
            yield Problem(_at(i, "inputEvents"), message)


def _start_problems(steps: list[Step]) -> Iterator[Problem]:
    if not any(BusinessEvent.NEW_ORDER in step.input_events for step in steps):
        message = f"no step listens to '{BusinessEvent.NEW_ORDER}'; orders enter a flow there"
        yield Problem("steps", message)


def _successors(steps: list[Step]) -> dict[str, set[str]]:
    """Step id -> ids of the steps it can start, by output event or by branch."""
    listeners: defaultdict[str, set[str]] = defaultdict(set)
    for step in steps:
        for event in step.input_events:
            listeners[event].add(step.step_id)
    graph: defaultdict[str, set[str]] = defaultdict(set)
    for step in steps:
        if not _is_action(step):
            graph[step.step_id] |= {b.step_id for b in step.branches}
        elif step.action is not None:
            raised = (event for event in output_events(step) if event is not None)
            graph[step.step_id] |= {s for event in raised for s in listeners[event]}
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    pending = [start]
    while pending:
        node = pending.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            pending.extend(graph.get(node, set()))
    return False


def _cycle_problems(steps: list[Step]) -> Iterator[Problem]:
    graph = _successors(steps)
    for i, step in enumerate(steps):
        if _is_action(step):
            continue
        for k, branch in enumerate(step.branches):
            # A branch to the step itself is reported as such, not as a loop.
            if branch.step_id != step.step_id and _reaches(graph, branch.step_id, step.step_id):
                message = f"branch to '{branch.step_id}' loops back to '{step.step_id}'"
                yield Problem(_at(i, f"branches.{k}.stepId"), message)
