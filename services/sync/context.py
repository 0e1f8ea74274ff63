"""What the sync engine works through: the order engine, the sync stores and the endpoints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from domain.flows.model import Flow
from domain.orders.model import SalesOrder
from domain.sync.maps import SyncMap
from services.errors import ConcurrencyConflict
from services.orders.engine import Engine
from services.sync.ports import SyncCursors, SyncEndpoint, SyncLinks, SyncMapStore, SyncStatusStore

ORDER_ENTITY = "salesorders"  # the hub's order records, named as IOM's Dataverse names them
LINE_ENTITY = "salesorderdetails"
MAX_CONFLICT_RETRIES = 8


def hub_order_number(order_id: str) -> str:
    """The order number the hub gives an order that has none (F&O allows 20 characters)."""
    return "IOM-" + order_id.replace("-", "")[:12].upper()


def line_record_id(order_id: str, line_id: str) -> str:
    """A line's record id in links: its order id (the partition) and its line id."""
    return f"{order_id}/{line_id}"


def split_record_id(record_id: str) -> tuple[str, str | None]:
    """(order id, line id or None) of a record id."""
    order_id, _, line_id = record_id.partition("/")
    return order_id, line_id or None


@dataclass
class SyncContext:
    """The ports of one sync engine; `endpoint(system)` is None when no provider is active."""

    engine: Engine
    maps: SyncMapStore
    links: SyncLinks
    status: SyncStatusStore
    cursors: SyncCursors
    endpoints: Callable[[str], SyncEndpoint | None]
    _flows: dict[tuple[str, int], Flow] = field(default_factory=dict, repr=False)

    def flow(self, flow_id: str, version: int) -> Flow | None:
        """A published flow version; kept once read, since a published version never changes."""
        key = (flow_id, version)
        if key not in self._flows:
            found = self.engine.flows.get_version(flow_id, version)
            if found is None:
                return None
            self._flows[key] = found
        return self._flows[key]

    def endpoint(self, system: str) -> SyncEndpoint | None:
        """The target system's endpoint, if it is configured and active."""
        return self.endpoints(system)

    def current_maps(self) -> list[SyncMap]:
        """The current version of every stored map."""
        return [stored.sync_map for stored in self.maps.all()]

    def update_order(
        self, order_id: str, mutations: Sequence[Callable[[SalesOrder], bool]]
    ) -> bool:
        """Apply the mutations to the stored order with its ETag; save only if one changed it."""
        for _ in range(MAX_CONFLICT_RETRIES):
            loaded = self.engine.orders.get(order_id)
            if loaded is None:
                return False
            changed = [mutation(loaded.order) for mutation in mutations]
            if not any(changed):
                return False
            loaded.order.updated_at = self.engine.clock.now()
            try:
                records = self.engine.orders.save(loaded, [])
            except ConcurrencyConflict:
                continue
            self.engine.relay(records)
            return True
        raise ConcurrencyConflict(f"order {order_id} kept changing while sync wrote to it")
