"""Policy versioning and publishing rules (IOM: policies are versioned, published ones read-only).

A policy is edited only while unpublished. Unpublishing versions it: the published version is
archived and a copy with the next version number becomes the current, editable one. Rolling
back makes a new current version with an earlier version's definition, archiving the current
one. Archived versions are kept unpublished so nothing mistakes history for a live policy; their
`published_at` still tells when they went live.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from domain.errors import InvalidDefinition, NotPermitted, Problem
from domain.filters import FilterSyntaxError, compile_filter
from domain.policies.fields import check_set_value, find_field, unknown_field_message
from domain.policies.model import (
    Policy,
    PolicyDefinition,
    PolicyType,
    PublishStatus,
    Rule,
    VersionState,
)

_DEFINITION_FIELDS = set(PolicyDefinition.model_fields)


def validate_definition(defn: PolicyDefinition) -> None:
    """Raise InvalidDefinition listing every problem, each with its dotted field path."""
    problems = [
        problem
        for index, rule in enumerate(defn.rules)
        for problem in _rule_problems(defn, index, rule)
    ]
    problems.extend(_duplicate_names(defn))
    if problems:
        raise InvalidDefinition(problems)


def create_policy(defn: PolicyDefinition, policy_id: str, now: datetime) -> Policy:
    """A new policy: version 1, current and unpublished."""
    validate_definition(defn)
    return Policy.model_validate(
        {**_definition(defn), "policy_id": policy_id, "version": 1,
         "created_at": now, "updated_at": now}
    )  # fmt: skip


def edit_policy(policy: Policy, defn: PolicyDefinition, now: datetime) -> Policy:
    """The policy with a new definition; only the current, unpublished version may change."""
    _require_current(policy)
    if policy.status == PublishStatus.PUBLISHED:
        raise NotPermitted(
            f"policy {policy.policy_id!r} is published; unpublish it to edit", field="status"
        )
    validate_definition(defn)
    return _revised(policy, **_definition(defn), updated_at=now)


def publish_policy(policy: Policy, now: datetime) -> Policy:
    """The policy published, after validating its definition again."""
    _require_current(policy)
    if policy.status == PublishStatus.PUBLISHED:
        raise NotPermitted(f"policy {policy.policy_id!r} is already published", field="status")
    validate_definition(policy)
    return _revised(policy, status=PublishStatus.PUBLISHED, published_at=now, updated_at=now)


def unpublish_policy(policy: Policy, now: datetime) -> tuple[Policy, Policy]:
    """(new current version, archived version): unpublishing versions the policy."""
    _require_current(policy)
    if policy.status != PublishStatus.PUBLISHED:
        raise NotPermitted(f"policy {policy.policy_id!r} is not published", field="status")
    return _next_version(policy, _definition(policy), now), _archived(policy, now)


def rollback_policy(current: Policy, target: Policy, now: datetime) -> tuple[Policy, Policy]:
    """(new current version with the target's definition, archived current version)."""
    _require_current(current)
    if target.policy_id != current.policy_id:
        message = f"version {target.version} belongs to policy {target.policy_id!r}"
        raise NotPermitted(message, field="policyId")
    if current.status == PublishStatus.PUBLISHED:
        raise NotPermitted(
            f"policy {current.policy_id!r} is published; unpublish it to roll back",
            field="status",
        )
    if target.version >= current.version:
        raise NotPermitted(
            f"version {target.version} is not earlier than the current version "
            f"{current.version}; roll back to an archived version",
            field="version",
        )
    validate_definition(target)
    return _next_version(current, _definition(target), now), _archived(current, now)


def _rule_problems(defn: PolicyDefinition, index: int, rule: Rule) -> Iterator[Problem]:
    path = f"rules.{index}"
    try:
        compile_filter(rule.condition)
    except FilterSyntaxError as err:
        yield Problem(f"{path}.condition", str(err))
    if defn.type == PolicyType.FILTER and rule.actions:
        message = "filter policies cannot set values; remove the actions or use an execution policy"
        yield Problem(f"{path}.actions", message)
        return
    for number, action in enumerate(rule.actions):
        if find_field(defn.entity, action.field) is None:
            message = unknown_field_message(defn.entity, action.field)
            yield Problem(f"{path}.actions.{number}.field", message)
            continue
        reason = check_set_value(defn.entity, action)
        if reason is not None:
            yield Problem(f"{path}.actions.{number}.value", reason)


def _duplicate_names(defn: PolicyDefinition) -> Iterator[Problem]:
    # Rule names identify which rules held in evaluation results, so each must be unique.
    seen: set[str] = set()
    for index, rule in enumerate(defn.rules):
        if rule.name in seen:
            yield Problem(f"rules.{index}.name", f"rule name {rule.name!r} is used twice")
        seen.add(rule.name)


def _require_current(policy: Policy) -> None:
    if policy.version_state != VersionState.CURRENT:
        raise NotPermitted(
            f"version {policy.version} of policy {policy.policy_id!r} is archived (read-only)",
            field="versionState",
        )


def _definition(defn: PolicyDefinition) -> dict[str, Any]:
    return defn.model_dump(include=_DEFINITION_FIELDS)


def _revised(policy: Policy, **changes: Any) -> Policy:
    # Rebuilt through validation (not model_copy) so the new version shares no mutable state.
    return Policy.model_validate({**policy.model_dump(), **changes})


def _next_version(current: Policy, definition: dict[str, Any], now: datetime) -> Policy:
    return _revised(
        current, **definition, version=current.version + 1,
        version_state=VersionState.CURRENT, status=PublishStatus.UNPUBLISHED,
        created_at=now, updated_at=now, published_at=None,
    )  # fmt: skip


def _archived(policy: Policy, now: datetime) -> Policy:
    return _revised(
        policy, version_state=VersionState.ARCHIVED, status=PublishStatus.UNPUBLISHED,
        updated_at=now,
    )  # fmt: skip
