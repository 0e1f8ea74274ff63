"""The flow record: steps with input events, policies, an action and output events.

Steps chain through business events (IOM's model): a step runs when one of its input events is
raised on an order that runs in the flow and its filter policies pass; its action then raises
its success or failure event, which later steps listen for. Control steps route inline:
a Condition takes its `yes` branch when the event that triggered it is not a failure event (the
previous step succeeded) and its `no` branch otherwise; a Splitter takes the first branch whose
target step's filter policies pass. Branches do not merge.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.policies.model import PublishStatus

STEP_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class FlowModel(BaseModel):
    """Base for flow models: camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class StepKind(StrEnum):
    """Action tiles do work; Condition and Splitter tiles only route."""

    ACTION = "Action"
    CONDITION = "Condition"
    SPLITTER = "Splitter"


class ActionType(StrEnum):
    """What an action step does. Internal ones run here; the rest go to a provider."""

    VALIDATE_HEADER = "Validate Order Header"
    VALIDATE_LINES = "Validate Order Lines"
    ASSIGN_BY_POLICY = "Assign by Policy"
    SEND_TO_OPTIMIZATION = "Send to Fulfillment Optimization"
    SEND_FULFILLMENT_PROCESS_REQUEST = "Send Fulfillment Process Request"
    SEND_TO_FULFILLMENT = "Send to Fulfillment"
    SEND_LINES_TO_BILLING = "Send Order Lines to Billing"
    SEND_TO_INVOICE = "Send to Invoice"
    CUSTOM = "Custom"
    WAIT_FOR_EVENT = "Wait for Event"


class Branch(FlowModel):
    """A named route from a control step to the step it starts."""

    name: str = Field(min_length=1, max_length=100)
    step_id: str = Field(pattern=STEP_ID_PATTERN)


class Step(FlowModel):
    """One tile of the flow."""

    step_id: str = Field(pattern=STEP_ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    kind: StepKind = StepKind.ACTION
    action: ActionType | None = None
    input_events: list[str] = Field(default_factory=list, max_length=20)
    filter_policies: list[str] = Field(default_factory=list, max_length=20)
    execution_policies: list[str] = Field(default_factory=list, max_length=20)
    provider: str | None = Field(default=None, max_length=100)
    provider_action: str | None = Field(default=None, max_length=200)
    wait_for: str | None = Field(default=None, max_length=200)
    success_event: str | None = Field(default=None, max_length=200)
    failure_event: str | None = Field(default=None, max_length=200)
    branches: list[Branch] = Field(default_factory=list, max_length=20)


class FlowDefinition(FlowModel):
    """The editable part of a flow, as operators send it."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    steps: list[Step] = Field(min_length=1, max_length=100)


class Flow(FlowDefinition):
    """A flow: its definition, status and version (incremented on each publish)."""

    flow_id: str
    status: PublishStatus = PublishStatus.UNPUBLISHED
    version: int = Field(default=0, ge=0)
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
