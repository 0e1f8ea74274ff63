"""Routing a raised event within one flow version: which action steps run next.

`route_event` returns the steps to run and, separately, the steps whose filter policies were
evaluated and did not pass, so the caller can record them as skipped. A Splitter's branches
after the one it takes are not evaluated and so are not reported. Each step is routed at most
once per event (a step that listens to the event and is also a branch target runs once), and
`passes_filters` is called at most once per step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.flows.actions import failure_events
from domain.flows.model import ActionType, Branch, Flow, Step, StepKind

_YES = "yes"
_NO = "no"


@dataclass(frozen=True)
class Route:
    """An action step to run, and the control step and branch that routed to it, if any."""

    step: Step
    via: str | None = None
    branch: str | None = None


@dataclass(frozen=True)
class RoutingResult:
    """Steps to run for an event, and steps skipped because their filter policies failed."""

    routes: list[Route] = field(default_factory=list)
    filtered_out: list[Step] = field(default_factory=list)


def route_event(flow: Flow, event: str, passes_filters: Callable[[Step], bool]) -> RoutingResult:
    """Route `event` through the flow's steps that listen to it, in step order."""
    router = _Router(flow, passes_filters)
    for step in flow.steps:
        if event not in step.input_events:
            continue
        if step.kind is StepKind.ACTION:
            router.offer(Route(step))
        elif step.kind is StepKind.CONDITION:
            router.condition(step, event)
        else:
            router.splitter(step)
    return router.result


def starts_with(flow: Flow, event: str) -> bool:
    """True when some step of the flow listens to `event` directly."""
    return any(event in step.input_events for step in flow.steps)


def waiting_steps(flow: Flow, event: str) -> list[Step]:
    """Wait for Event steps that wait for `event` (the caller completes those waiting)."""
    return [
        step
        for step in flow.steps
        if step.kind is StepKind.ACTION
        and step.action is ActionType.WAIT_FOR_EVENT
        and step.wait_for == event
    ]


class _Router:
    """Collects routes for one event, evaluating each step's filters once."""

    def __init__(self, flow: Flow, passes_filters: Callable[[Step], bool]) -> None:
        self._flow = flow
        self._passes_filters = passes_filters
        self._verdicts: dict[str, bool] = {}
        self._by_id = {step.step_id: step for step in reversed(flow.steps)}
        self.result = RoutingResult()

    def offer(self, route: Route) -> bool:
        """Route the step if its filters pass, else report it filtered out; True when routed."""
        step_id = route.step.step_id
        if step_id not in self._verdicts:
            self._verdicts[step_id] = self._passes_filters(route.step)
            if not self._verdicts[step_id]:
                self.result.filtered_out.append(route.step)
        routed = {r.step.step_id for r in self.result.routes}
        if self._verdicts[step_id] and step_id not in routed:
            self.result.routes.append(route)
        return self._verdicts[step_id]

    def condition(self, step: Step, event: str) -> None:
        """Take "yes" when the triggering event is not a failure, "no" when it is."""
        name = _NO if event in failure_events(self._flow) else _YES
        branch = next((b for b in step.branches if b.name.casefold() == name), None)
        if branch is not None:
            self._offer_branch(step, branch)

    def splitter(self, step: Step) -> None:
        """Take the first branch whose target's filter policies pass."""
        for branch in step.branches:
            if self._offer_branch(step, branch):
                return

    def _offer_branch(self, control: Step, branch: Branch) -> bool:
        target = self._by_id.get(branch.step_id)
        # Published flows are validated; a target that is missing or not an action is skipped.
        if target is None or target.kind is not StepKind.ACTION:
            return False
        return self.offer(Route(target, via=control.step_id, branch=branch.name))
