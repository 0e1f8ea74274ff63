"""Order change tracking: every stored change marks stale totals and announces itself.

`ChangeTrackingOrders` wraps the order repository. On each `add` and `save` it clears the
order's totals-calculated flag when the totals' inputs moved, counts the change in
`order.revision`, and stages an OrderChanged message in the same transaction as the change
(the transactional outbox), so no change is stored unannounced and no announcement is sent for
a change that did not commit. Consumers (the sales totals marker, the sync engine) dedupe by the
message id, which names the order and its revision.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.orders.model import RaisedEvent, SalesOrder
from domain.orders.totals import mark_totals_stale
from services.orders.ports import LoadedOrder, OrderPage, OrderQuery, OrderRepository
from services.outbox import OutboxMessage, OutboxRecord
from services.ports import Clock

QUEUE = "order-changes"
ORDER_CHANGED = "OrderChanged"

Write = Callable[[Sequence[OutboxMessage]], builtins.list[OutboxRecord]]


class OrderChanged(BaseModel):
    """The data of an OrderChanged message: which order, at which stored revision."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    order_id: str = Field(min_length=1)
    revision: int = Field(ge=1)

    def outbox_message(self, clock: Clock) -> OutboxMessage:
        """The outbox row announcing this change; its id is unique per order revision."""
        return OutboxMessage(
            message_id=f"order-changed:{self.order_id}:{self.revision}", queue=QUEUE,
            type=ORDER_CHANGED, data=self.model_dump(by_alias=True, mode="json"),
            occurred_at=clock.now(),
        )  # fmt: skip


def read_order_changed(body: str) -> OrderChanged:
    """The change an OrderChanged queue envelope announces (ValueError when malformed)."""
    envelope = json.loads(body)
    if not isinstance(envelope, dict) or envelope.get("type") != ORDER_CHANGED:
        raise ValueError("not an OrderChanged message")
    return OrderChanged.model_validate(envelope.get("data"))


def changed_order(orders: OrderRepository, body: str) -> LoadedOrder | None:
    """The order an OrderChanged message announces, when the message is still the latest.

    None when the body is not an OrderChanged, the order is gone, or the order has moved past the
    announced revision: every stored revision has its own message, so the later one will do the
    work. Dropping superseded messages keeps two handlers of one order from running its sync at
    the same time after a burst of changes (as when a change from F&O is applied).
    """
    try:
        change = read_order_changed(body)
    except ValueError:
        return None
    loaded = orders.get(change.order_id)
    if loaded is None or loaded.order.revision > change.revision:
        return None
    return loaded


class ChangeTrackingOrders:
    """An OrderRepository that marks stale totals and announces every stored order change."""

    def __init__(self, inner: OrderRepository, clock: Clock) -> None:
        self._inner = inner
        self._clock = clock

    def get(self, order_id: str) -> LoadedOrder | None:
        """The order, or None."""
        return self._inner.get(order_id)

    def add(
        self, order: SalesOrder, messages: Sequence[OutboxMessage]
    ) -> builtins.list[OutboxRecord]:
        """Store a new order with its messages and its OrderChanged announcement."""
        return self._tracked(order, messages, lambda staged: self._inner.add(order, staged))

    def save(
        self, loaded: LoadedOrder, messages: Sequence[OutboxMessage]
    ) -> builtins.list[OutboxRecord]:
        """Store the changed order with its messages and its OrderChanged announcement."""
        return self._tracked(
            loaded.order, messages, lambda staged: self._inner.save(loaded, staged)
        )

    def timeline(self, order_id: str) -> builtins.list[RaisedEvent]:
        """Every business event raised on the order, in order."""
        return self._inner.timeline(order_id)

    def list(self, query: OrderQuery, continuation: str | None, limit: int) -> OrderPage:
        """Orders matching the query, a page at a time."""
        return self._inner.list(query, continuation, limit)

    def _tracked(
        self, order: SalesOrder, messages: Sequence[OutboxMessage], write: Write
    ) -> builtins.list[OutboxRecord]:
        previous = order.revision
        mark_totals_stale(order)
        order.revision = previous + 1
        announcement = OrderChanged(order_id=order.order_id, revision=order.revision)
        try:
            return write([*messages, announcement.outbox_message(self._clock)])
        except BaseException:
            # Nothing was stored: a caller retrying with this order must not skip a revision.
            order.revision = previous
            raise
