"""Flow lifecycle: create and edit drafts, publish (validated, versioned) and stop.

Drafts are not validated: operators build a flow over several edits, and publishing is where
the rules are enforced. A published flow is read-only; stopping it returns it to Unpublished
so it can be edited and published again as the next version. Stopping keeps `published_at`,
the time the last version was published.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from domain.errors import InvalidDefinition, NotPermitted, Problem
from domain.flows.model import Flow, FlowDefinition
from domain.flows.validation import flow_problems
from domain.policies.model import PublishStatus


def create_flow(defn: FlowDefinition, flow_id: str, now: datetime) -> Flow:
    """A new Unpublished flow at version 0."""
    return _flow(defn.model_dump(), flow_id=flow_id, created_at=now, updated_at=now)


def edit_flow(flow: Flow, defn: FlowDefinition, now: datetime) -> Flow:
    """The flow with a new definition; refused while the flow is published."""
    if flow.status is PublishStatus.PUBLISHED:
        message = (
            f"flow '{flow.name}' is published and read-only; stop it, edit, then publish again"
        )
        raise NotPermitted(message, field="status")
    return _flow(flow.model_dump(), **defn.model_dump(), updated_at=now)


def publish_flow(flow: Flow, now: datetime, published_policies: set[str]) -> Flow:
    """The flow published as its next version, once valid and using only published policies."""
    if flow.status is PublishStatus.PUBLISHED:
        raise NotPermitted(f"flow '{flow.name}' is already published", field="status")
    problems = flow_problems(flow) + list(_unpublished_policies(flow, published_policies))
    if problems:
        raise InvalidDefinition(problems)
    return _flow(
        flow.model_dump(),
        status=PublishStatus.PUBLISHED,
        version=flow.version + 1,
        published_at=now,
        updated_at=now,
    )


def stop_flow(flow: Flow, now: datetime) -> Flow:
    """The flow set back to Unpublished so it can be edited; refused when not published."""
    if flow.status is not PublishStatus.PUBLISHED:
        raise NotPermitted(f"flow '{flow.name}' is not published", field="status")
    return _flow(flow.model_dump(), status=PublishStatus.UNPUBLISHED, updated_at=now)


def _flow(fields: dict[str, Any], **changes: Any) -> Flow:
    # Re-validating a fresh dump keeps the new flow from sharing step lists with the old one.
    return Flow.model_validate({**fields, **changes})


def _unpublished_policies(defn: FlowDefinition, published: set[str]) -> Iterator[Problem]:
    for i, step in enumerate(defn.steps):
        lists = (
            ("filterPolicies", step.filter_policies),
            ("executionPolicies", step.execution_policies),
        )
        for field, policy_ids in lists:
            for j, policy_id in enumerate(policy_ids):
                if policy_id not in published:
                    message = f"policy '{policy_id}' is not published; publish it first"
                    yield Problem(f"steps.{i}.{field}.{j}", message)
