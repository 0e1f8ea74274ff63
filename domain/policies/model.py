"""The policy record: type, criticality, associated entity, rules, publish status and version.

A rule is a condition in the hub's filter language plus optional "set value" actions. A policy
passes on a record when at least one of its rules' conditions holds; the set-value actions of
every rule that holds are applied in order (so the lab's two rules, quantity >= 100 and < 100,
each assign their own value).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


class PolicyModel(BaseModel):
    """Base for policy models: camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class PolicyType(StrEnum):
    """Filter policies decide whether a step runs; execution policies validate and set values."""

    FILTER = "Filter"
    EXECUTION = "Execution"


class Criticality(StrEnum):
    """Information: the flow continues when the policy fails. Critical: the step fails."""

    INFORMATION = "Information"
    CRITICAL = "Critical"


class AssociatedEntity(StrEnum):
    """The record a policy is evaluated on."""

    ORDER = "Order"
    ORDER_LINE = "Order product"
    FULFILLMENT_ORDER = "Fulfillment order"
    FULFILLMENT_ORDER_LINE = "Fulfillment order product"


class PublishStatus(StrEnum):
    """Only published policies and flows process orders; published ones are read-only."""

    UNPUBLISHED = "Unpublished"
    PUBLISHED = "Published"


class VersionState(StrEnum):
    """Exactly one version of a policy is Current; earlier ones are Archived."""

    CURRENT = "Current"
    ARCHIVED = "Archived"


def _number_only(value: object) -> object:
    # JSON strings would otherwise validate as Decimal too, so "24" (a warehouse id) would come
    # back from storage as a number; text stays text, numbers become exact Decimals.
    if isinstance(value, str):
        raise ValueError("text is not a number")  # noqa: TRY004 - pydantic reports ValueError only
    return value


Number = Annotated[Decimal, BeforeValidator(_number_only)]
SetValueLiteral = bool | int | Number | str | None


class SetValue(PolicyModel):
    """Assign a value to a field of the associated record when the rule holds."""

    field: str = Field(min_length=1, max_length=100)
    value: SetValueLiteral


class Rule(PolicyModel):
    """A named condition (filter language) with optional set-value actions."""

    name: str = Field(min_length=1, max_length=200)
    condition: str = Field(min_length=1, max_length=4000)
    actions: list[SetValue] = Field(default_factory=list, max_length=50)


class PolicyDefinition(PolicyModel):
    """The editable part of a policy, as operators send it."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    type: PolicyType
    criticality: Criticality = Criticality.INFORMATION
    entity: AssociatedEntity
    rules: list[Rule] = Field(min_length=1, max_length=100)


class Policy(PolicyDefinition):
    """One version of a policy. `policy_id` is shared by every version (IOM's PolicyVersionId)."""

    policy_id: str
    version: int = Field(ge=1)
    version_state: VersionState = VersionState.CURRENT
    status: PublishStatus = PublishStatus.UNPUBLISHED
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
