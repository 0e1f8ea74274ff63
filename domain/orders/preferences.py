"""Order handling preferences (IOM Settings > Order handling preferences)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class FulfillmentProcessMode(StrEnum):
    """How "Send fulfillment process request" treats lines whose source a policy assigned."""

    ON_HAND_CHECK = "Inventory On hand check"
    CREATE_FULFILLMENT_ORDERS = "Fulfillment order creation"
    CHECK_AND_CREATE = "Inventory check and fulfillment order creation"


class OrderHandlingPreferences(BaseModel):
    """Backorders, their cancellation SLA, and the policy-based fulfillment process mode."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    backorders: bool = True
    cancellation_sla_days: int = Field(default=7, ge=1, le=365)
    fulfillment_process: FulfillmentProcessMode = FulfillmentProcessMode.CHECK_AND_CREATE
    default_strategy: str | None = Field(default=None, max_length=100)
    extra_source_penalty: Decimal = Field(default=Decimal(50), ge=0)  # cost units (km x unit)
