"""The sales order aggregate: header, lines, fulfillment orders, step results and raised events.

An order changes state only through `raise_event`, which applies the transition table and
records the event for the timeline. Money and quantities are Decimal; field names follow IOM.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_camel

from domain.orders.states import OrderState, Reason, TransitionOutcome
from domain.orders.transitions import apply_transitions, change_record


class DomainModel(BaseModel):
    """Base for order models: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class OrderType(StrEnum):
    """IOM order types (Dataverse msdyn_ordertype option values in `view`)."""

    ITEM_BASED = "Item based"
    SUBSCRIPTION = "Subscription"


class ProcessingStatus(StrEnum):
    """F&O `SalesOrderProcessingStatus`: where the ERP's documents have got to (set by sync)."""

    ACTIVE = "Active"
    CONFIRMED = "Confirmed"
    PICKED = "Picked"
    PARTIALLY_DELIVERED = "PartiallyDelivered"
    DELIVERED = "Delivered"
    INVOICED = "Invoiced"
    PARTIALLY_INVOICED = "PartiallyInvoiced"
    CANCELED = "Canceled"
    DELIVERED_PARTIALLY_INVOICED = "DeliveredPartiallyInvoiced"


class OrderTotals(DomainModel):
    """Sales totals as the totals job calculated them, rounded to the currency."""

    lines_amount: Decimal  # sum of quantity x price over open lines
    discount: Decimal  # line discounts
    charges: Decimal  # line sales charges
    freight: Decimal  # header freight / charges
    tax: Decimal  # line tax plus header tax
    total: Decimal  # lines - discount + charges + freight + tax
    calculated_at: datetime
    basis: str  # digest of the inputs; when the order's digest differs the totals are stale


class Address(DomainModel):
    """A postal address as storefronts and ERPs exchange it."""

    name: str | None = None
    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    city: str | None = None
    state_or_province: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    phone: str | None = None
    email: str | None = None
    latitude: float | None = None  # given by the channel (or a geocoder); used for sourcing
    longitude: float | None = None


class Finding(DomainModel):
    """Why a policy failed on a record: the policy, its criticality and a readable reason."""

    policy_id: str
    policy_name: str
    critical: bool
    message: str


class OrderLine(DomainModel):
    """An order product: existing or write-in product, quantities, money and assignment."""

    line_id: str
    line_number: int
    external_line_id: str | None = None
    product_id: str | None = None
    write_in_product: str | None = None
    description: str | None = None
    quantity: Decimal
    unit: str = "ea"
    unit_price: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    charges: Decimal = Decimal(0)  # line sales charges (F&O keeps discount remainders here)
    tax: Decimal = Decimal(0)
    requested_delivery_date: date | None = None
    company: str | None = None
    shipping_site: str | None = None
    shipping_warehouse: str | None = None
    fulfillment_source: str | None = None
    launch_date: date | None = None  # a preorder line is held until this date
    availability_date: date | None = None  # IOM "Inventory Availability Date" of a held line
    quantity_shipped: Decimal = Decimal(0)
    quantity_backordered: Decimal = Decimal(0)
    quantity_canceled: Decimal = Decimal(0)
    quantity_invoiced: Decimal = Decimal(0)
    ready_to_sync: bool = False
    sync_error: str | None = None
    state: OrderState = OrderState.NEW
    reason: str = Reason.NEW
    findings: list[Finding] = Field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        """Line amount before tax: quantity x price less the manual discount (unrounded)."""
        return self.quantity * self.unit_price - self.discount


class FulfillmentOrderLine(DomainModel):
    """The part of an order line that one fulfillment order ships."""

    line_id: str
    product_id: str | None = None
    quantity: Decimal
    reservation: str | None = None  # the inventory reservation reference holding its stock
    state: OrderState = OrderState.NEW
    reason: str = Reason.NEW


class FulfillmentOrder(DomainModel):
    """What one fulfillment source ships for the order."""

    fulfillment_order_id: str
    source_id: str
    shipping_warehouse: str | None = None
    state: OrderState = OrderState.NEW
    reason: str = Reason.NEW
    lines: list[FulfillmentOrderLine] = Field(default_factory=list)


class StepStatus(StrEnum):
    """Where a flow step stands for one order."""

    SCHEDULED = "Scheduled"
    RETRYING = "Retrying"  # a provider failed transiently; the step runs again after a delay
    WAITING = "Waiting"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    SKIPPED = "Skipped"


class StepResult(DomainModel):
    """One attempt of one flow step on this order (IOM's step execution result)."""

    flow_id: str
    flow_version: int
    step_id: str
    step_name: str
    attempt: int
    retry: int = 0  # transient retries within this attempt
    status: StepStatus
    details: str | None = None
    triggered_by: str | None = None
    at: datetime

    @property
    def key(self) -> str:
        """Identity of the step within the order, the same across attempts."""
        return step_key(self.flow_id, self.step_id)


def step_key(flow_id: str, step_id: str) -> str:
    """Key of a step of a flow on an order: steps run once per order unless reprocessed."""
    return f"{flow_id}/{step_id}"


class FlowBinding(DomainModel):
    """A published flow version this order runs in."""

    flow_id: str
    flow_version: int
    flow_name: str


class RaisedEvent(DomainModel):
    """A business event raised on the order, as the timeline shows it."""

    sequence: int
    event: str
    at: datetime
    line_ids: list[str] = Field(default_factory=list)
    changes: list[dict[str, str]] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    details: str | None = None
    source: str | None = None


class SalesOrder(DomainModel):
    """The order aggregate. Mutate it only through its methods."""

    order_id: str
    channel: str
    external_order_id: str
    order_number: str | None = None
    order_type: OrderType = OrderType.ITEM_BASED
    customer_id: str
    invoice_customer_id: str | None = None
    company: str | None = None
    customer_order_reference: str | None = None
    sales_origin: str | None = None
    currency: str
    ship_to: Address
    bill_to: Address | None = None
    requested_delivery_date: date | None = None
    fulfillment_strategy: str | None = None
    expected_line_count: int | None = None
    priority: int = 100  # 1 is highest; breaks first-come-first-served ties on release
    ordered_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    ready_to_sync: bool = False
    processing_status: ProcessingStatus | None = None  # the ERP's, once the order syncs there
    freight_amount: Decimal = Decimal(0)  # header charges
    header_tax: Decimal = Decimal(0)  # header-level tax such as tax on freight
    # Customers whose master data lives in the ERP (Prospect-to-cash sends only those to Sales).
    customer_externally_maintained: bool = False
    invoice_customer_externally_maintained: bool = False
    totals_calculated: bool = False  # set by the sales totals job, cleared by any change
    totals: OrderTotals | None = None
    state: OrderState = OrderState.NEW
    reason: str = Reason.NEW
    lines: list[OrderLine]
    fulfillment_orders: list[FulfillmentOrder] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    flows: list[FlowBinding] = Field(default_factory=list)
    step_results: list[StepResult] = Field(default_factory=list)
    event_count: int = 0
    revision: int = 0  # counts stored changes; names each change's OrderChanged message
    events_seen: list[str] = Field(default_factory=list)
    provider_events: list[str] = Field(default_factory=list)  # provider event ids applied
    _raised: list[RaisedEvent] = PrivateAttr(default_factory=list)

    def line(self, line_id: str) -> OrderLine:
        """The line with this id (KeyError if absent)."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise KeyError(line_id)

    @property
    def raised(self) -> list[RaisedEvent]:
        """Events raised since the order was loaded, not yet stored."""
        return list(self._raised)

    def clear_raised(self) -> None:
        """Forget raised events once they are stored."""
        self._raised.clear()

    def raise_event(
        self,
        event: str,
        at: datetime,
        *,
        line_ids: Sequence[str] | None = None,
        details: str | None = None,
        source: str | None = None,
    ) -> TransitionOutcome:
        """Apply the event through the transition table and record it for the timeline."""
        outcome = apply_transitions(self, event, line_ids)
        self.event_count += 1
        if event not in self.events_seen:
            self.events_seen.append(event)
        self.updated_at = at
        self._raised.append(
            RaisedEvent(
                sequence=self.event_count, event=event, at=at, line_ids=list(line_ids or []),
                changes=[change_record(c) for c in outcome.changes],
                errors=[e.message for e in outcome.errors], details=details, source=source,
            )
        )  # fmt: skip
        return outcome

    def latest_step_result(self, key: str) -> StepResult | None:
        """The most recent result of a step on this order, if it ever ran."""
        for result in reversed(self.step_results):
            if result.key == key:
                return result
        return None

    def active_lines(self) -> list[OrderLine]:
        """Lines that are not canceled."""
        return [line for line in self.lines if line.state != OrderState.CANCELED]
