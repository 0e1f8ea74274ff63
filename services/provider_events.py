"""Status events from providers (picked, packed, shipped, invoiced, ...) become business events.

Events arrive by webhook or poller, are queued, and are applied here once each (dedupe by the
provider's event id, kept on the order). Each maps to a business event on the named lines (or
all lines); the transition table rolls lines up to the order when they all agree. An event that
arrives after a later one (shipped after invoiced) is recorded on the timeline and changes
nothing, so out-of-order delivery never moves an order backwards or twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from domain.orders.events import BusinessEvent
from domain.orders.model import OrderLine, SalesOrder
from domain.orders.states import OrderState, Reason
from services.errors import NotFound
from services.orders.engine import Catalog, Engine, dispatch
from services.orders.intake import order_id_for
from services.orders.operations import change_order
from services.outbox import OutboxMessage
from services.ports import MessagePublisher

EVENTS_QUEUE = "provider-events"
MAX_REMEMBERED_EVENTS = 500  # per order; enough for any realistic number of status updates


class ProviderStatus(StrEnum):
    """The statuses providers report, in the order fulfilment normally goes."""

    CONFIRMED = "confirmed"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"


_EVENTS: dict[ProviderStatus, BusinessEvent | None] = {
    ProviderStatus.CONFIRMED: None,  # recorded on the timeline; no state change
    ProviderStatus.PICKED: BusinessEvent.PICKED,
    ProviderStatus.PACKED: BusinessEvent.PACKED,
    ProviderStatus.SHIPPED: BusinessEvent.SHIPPED,
    ProviderStatus.INVOICED: BusinessEvent.INVOICED,
    ProviderStatus.CANCELLED: BusinessEvent.LINE_CANCELED,
}
# How far along a line is, so an older status arriving late is recognised as stale. Shipped
# lines read Packed (IOM's reason), so shipping is told apart by the quantity shipped.
_STAGE: dict[str, int] = {
    Reason.PICKED: 1, Reason.PACKED: 2, Reason.FULFILLED: 4, Reason.CANCELED: 5,
}  # fmt: skip
_SHIPPED_STAGE = 3
_EVENT_STAGE: dict[ProviderStatus, int] = {
    ProviderStatus.PICKED: 1, ProviderStatus.PACKED: 2, ProviderStatus.SHIPPED: _SHIPPED_STAGE,
    ProviderStatus.INVOICED: 4, ProviderStatus.CANCELLED: 5,
}  # fmt: skip

Id = Annotated[str, Field(min_length=1, max_length=200)]


class ProviderEvent(BaseModel):
    """A provider's status report about an order (or some of its lines)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    event_id: Id
    status: ProviderStatus
    order_id: Id | None = None
    channel: str | None = Field(default=None, max_length=50)
    external_order_id: Id | None = None
    line_ids: list[Annotated[str, Field(min_length=1, max_length=20)]] | None = None
    occurred_at: AwareDatetime | None = None
    details: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _names_an_order(self) -> ProviderEvent:
        if self.order_id is None and (self.channel is None or self.external_order_id is None):
            raise ValueError("give orderId, or channel and externalOrderId")
        return self

    def target(self) -> str:
        """The hub's order id the event is about."""
        if self.order_id is not None:
            return self.order_id
        return order_id_for(self.channel or "", self.external_order_id or "")


def apply_provider_event(engine: Engine, provider: str, event: ProviderEvent) -> bool:
    """Apply the event once; False when it was a repeat (or the order does not exist)."""
    applied: list[bool] = []

    def change(order: SalesOrder, catalog: Catalog) -> list[OutboxMessage]:
        applied.clear()
        marker = f"{provider}:{event.event_id}"
        if marker in order.provider_events:
            return []  # delivered before: at-least-once queues repeat themselves
        order.provider_events = [*order.provider_events, marker][-MAX_REMEMBERED_EVENTS:]
        applied.append(True)
        return _apply(order, provider, event, engine.clock.now(), catalog)

    try:
        change_order(engine, event.target(), change)
    except NotFound:
        return False
    return bool(applied)


def _apply(
    order: SalesOrder, provider: str, event: ProviderEvent, now: datetime, catalog: Catalog
) -> list[OutboxMessage]:
    source = f"provider {provider}"
    business = _EVENTS[event.status]
    fresh = [line for line in _lines(order, event.line_ids) if not _stale(line, event.status)]
    if business is None or not fresh:
        stale = " (older than the lines' state: ignored)" if business is not None else ""
        note = f"{provider} reported {event.status.value}{stale}"
        title = f"Provider status: {event.status.value}"
        order.raise_event(title, now, details=note, source=source)
        return []
    if event.status == ProviderStatus.SHIPPED:
        for line in fresh:
            line.quantity_shipped = line.quantity - line.quantity_canceled
    if event.status == ProviderStatus.INVOICED:
        for line in fresh:
            line.quantity_invoiced = line.quantity - line.quantity_canceled
    line_ids = [line.line_id for line in fresh]
    order.raise_event(business, now, line_ids=line_ids, details=event.details, source=source)
    return dispatch(order, [business], now, catalog)


def _lines(order: SalesOrder, line_ids: list[str] | None) -> list[OrderLine]:
    if line_ids is None:
        return order.active_lines()
    wanted = set(line_ids)
    return [line for line in order.lines if line.line_id in wanted]


def _stale(line: OrderLine, status: ProviderStatus) -> bool:
    if line.state == OrderState.CANCELED:
        return True
    stage = _STAGE.get(line.reason, 0)
    if line.quantity_shipped > 0:
        stage = max(stage, _SHIPPED_STAGE)
    return stage >= _EVENT_STAGE.get(status, 0)


def queue_body(provider: str, event: ProviderEvent) -> str:
    """The queue message for an accepted event (the handler applies it later)."""
    return json.dumps(
        {"provider": provider, "event": event.model_dump(mode="json", by_alias=True)},
        separators=(",", ":"),
    )


def accept_event(publisher: MessagePublisher, provider: str, event: ProviderEvent) -> None:
    """Queue a provider's event for the handler: answer fast, apply once, at least once."""
    publisher.publish(EVENTS_QUEUE, queue_body(provider, event))


def read_queue_body(body: str) -> tuple[str, ProviderEvent]:
    """The provider and event of a queued message (ValueError when malformed)."""
    envelope = json.loads(body)
    return str(envelope["provider"]), ProviderEvent.model_validate(envelope["event"])
