"""Hub orders to other systems: each header map, then its line maps, gated by their filters.

Readiness is the maps' own filters: a header that fails its map's filter is not sent (and a
record that leaves the filter later stays where it is), an order with no line passing a line
map never goes, and a line that fails its filter waits. One bad line records a Sync Error on
that line (and in the error list) while the other lines still sync. Transient failures
propagate so the queue retries the message; links make the retry send only what is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from domain.filters import FilterValue
from domain.flows.model import ActionType
from domain.orders.model import OrderLine, SalesOrder
from domain.sync.engine import SyncError, passes_filter
from domain.sync.maps import SyncMap
from domain.sync.records import (
    apply_to_line,
    apply_to_order,
    freight_tax_record,
    line_sync_record,
    order_sync_record,
)
from domain.sync.transforms import TransformError
from services.orders.ports import ErrorKind, OperationError
from services.providers.gateway import PermanentProviderFailure
from services.sync.context import ORDER_ENTITY, SyncContext, hub_order_number, line_record_id
from services.sync.ports import SyncEndpoint, SyncLink
from services.sync.push import Pushed, push
from services.sync.tally import Tally

logger = logging.getLogger(__name__)
# Flow actions that create the order in the provider's system themselves.
SENDING_ACTIONS = frozenset({ActionType.SEND_TO_FULFILLMENT, ActionType.SEND_LINES_TO_BILLING})

# Failures that retrying cannot fix: they become a Sync Error on the record.
RECORD_FAILURES = (SyncError, TransformError, PermanentProviderFailure)
FREIGHT_TAX_ID = "freight-tax"

Mutation = Callable[[SalesOrder], bool]


@dataclass
class _Run:
    """One order's sync: counts, and the changes to store on the order afterwards."""

    tally: Tally
    mutations: list[Mutation] = field(default_factory=list)


def sync_order(context: SyncContext, order_id: str, order: SalesOrder | None = None) -> Tally:
    """Send the order (and its lines) through every enabled header map whose filter admits it.

    `order` is the order as the caller just read it (saving a read); changes the sync makes to
    it are stored through `update_order`, never by saving that copy.
    """
    tally = Tally(order_id, context.engine.clock.now())
    if order is None:
        loaded = context.engine.orders.get(order_id)
        if loaded is None:
            return tally
        order = loaded.order
    run = _Run(tally)
    maps = context.current_maps()
    try:
        for header_map in _header_maps(maps):
            # The filter first: most changes leave most maps' filters failing, and finding the
            # endpoint reads the provider's activation from storage.
            if not passes_filter(header_map, order_sync_record(order)):
                tally.count(header_map.name, "skipped")
                continue
            endpoint = context.endpoint(header_map.target_system)
            if endpoint is None:
                tally.count(header_map.name, "skipped")
                continue
            lines = [m for m in maps if m.enabled and m.parent == header_map.name and _sends(m)]
            _sync_header(context, run, order, header_map, lines, endpoint)
    finally:
        # What the targets assigned is kept even when a later record fails transiently.
        if run.mutations:
            context.update_order(order_id, run.mutations)
        tally.flush(context.status)
    return tally


def _header_maps(maps: list[SyncMap]) -> list[SyncMap]:
    """Enabled order maps that send something (a map of `<` columns only is inbound)."""
    return [
        m
        for m in maps
        if m.enabled and m.source_entity == ORDER_ENTITY and m.parent is None and _sends(m)
    ]


def _sends(sync_map: SyncMap) -> bool:
    return any(column.forward for column in sync_map.columns)


def _sync_header(
    context: SyncContext,
    run: _Run,
    order: SalesOrder,
    header_map: SyncMap,
    line_maps: list[SyncMap],
    endpoint: SyncEndpoint,
) -> None:
    link = context.links.get(header_map.name, order.order_id)
    if not _any_line_ready(order, line_maps) and (link is None or not link.target_key):
        run.tally.count(header_map.name, "skipped")  # an order with no lines never goes
        return
    if (link is None or not link.target_key) and _sent_by_flow(context, order, header_map):
        run.tally.count(header_map.name, "skipped")  # the flow's provider action creates it
        return
    if order.order_number is None:
        # Dual-write numbers the order on the hub's (Dataverse's) side; the ERP takes it.
        number = hub_order_number(order.order_id)
        order.order_number = number
        run.mutations.append(lambda o: _set_number(o, number))
    pushed = _push(context, run, header_map, endpoint, link, order.order_id, order)
    if pushed is None:
        return  # the header failed: its lines wait for it
    if pushed.back:
        apply_to_order(order, pushed.back)
        back = dict(pushed.back)
        run.mutations.append(lambda o: bool(apply_to_order(o, back)))
    for line in order.lines:
        for line_map in line_maps:
            _sync_line(context, run, order, line, line_map, endpoint)
    _sync_freight_tax(context, run, order, line_maps, endpoint)


def _any_line_ready(order: SalesOrder, line_maps: list[SyncMap]) -> bool:
    return any(
        passes_filter(line_map, line_sync_record(order, line))
        for line in order.lines
        for line_map in line_maps
    )


def _sync_line(
    context: SyncContext,
    run: _Run,
    order: SalesOrder,
    line: OrderLine,
    line_map: SyncMap,
    endpoint: SyncEndpoint,
) -> None:
    record = line_sync_record(order, line)
    if not passes_filter(line_map, record):
        run.tally.count(line_map.name, "skipped")
        return
    record_id = line_record_id(order.order_id, line.line_id)
    link = context.links.get(line_map.name, record_id)
    pushed = _push(context, run, line_map, endpoint, link, record_id, order, record, line)
    line_id = line.line_id
    if pushed is None:
        return
    if line.sync_error is not None:
        line.sync_error = None
        run.mutations.append(lambda o: _set_line_error(o, line_id, None))
    if pushed.back:
        back = dict(pushed.back)
        run.mutations.append(lambda o: bool(apply_to_line(o.line(line_id), back)))


def _sent_by_flow(context: SyncContext, order: SalesOrder, header_map: SyncMap) -> bool:
    """True when a step of the order's flow sends it to the map's target with a provider action.

    That action creates the order there itself (the F&O gateway's sales order), so dual-write
    creating it too would put it in the ERP twice. The step is recorded (Scheduled) in the same
    save that made the order ready, so the sync of that change already sees it.
    """
    for result in order.step_results:
        flow = context.flow(result.flow_id, result.flow_version)
        step = next((s for s in flow.steps if s.step_id == result.step_id), None) if flow else None
        if (
            step is not None
            and step.provider == header_map.target_system
            and step.action in SENDING_ACTIONS
        ):
            return True
    return False


def _sync_freight_tax(
    context: SyncContext,
    run: _Run,
    order: SalesOrder,
    line_maps: list[SyncMap],
    endpoint: SyncEndpoint,
) -> None:
    """Header tax reaches a target that keeps it on lines (Sales) as a "Freight Tax" line."""
    record = freight_tax_record(order)
    targets = [m for m in line_maps if m.template is not None]
    if record is None or not targets:
        return
    record_id = line_record_id(order.order_id, FREIGHT_TAX_ID)
    for line_map in targets:
        link = context.links.get(line_map.name, record_id)
        _push(context, run, line_map, endpoint, link, record_id, order, record)


def _push(
    context: SyncContext,
    run: _Run,
    sync_map: SyncMap,
    endpoint: SyncEndpoint,
    link: SyncLink | None,
    record_id: str,
    order: SalesOrder,
    record: Mapping[str, FilterValue] | None = None,
    line: OrderLine | None = None,
) -> Pushed | None:
    """Push one record; a record failure becomes a Sync Error instead of an exception."""
    current = link or SyncLink(sync_map.name, record_id)
    source = order_sync_record(order) if record is None else record
    try:
        pushed = push(sync_map, endpoint, current, source, run.tally.at)
    except RECORD_FAILURES as err:
        _failed(context, run, sync_map, current, order, line, str(err))
        return None
    if pushed.remote is None:
        run.tally.count(sync_map.name, "skipped")
        return pushed
    context.links.save(pushed.link)
    run.tally.count(sync_map.name, "synced")
    for _ in range(pushed.conflicts):
        run.tally.count(sync_map.name, "conflicts")
    return pushed


def _failed(
    context: SyncContext,
    run: _Run,
    sync_map: SyncMap,
    link: SyncLink,
    order: SalesOrder,
    line: OrderLine | None,
    message: str,
) -> None:
    logger.warning("sync of %s on %r failed: %s", link.record_id, sync_map.name, message)
    run.tally.count(sync_map.name, "failed", message)
    link.error = message
    context.links.save(link)
    details = {"map": sync_map.name, "record": link.record_id}
    context.engine.errors.record(
        OperationError(
            error_id=f"sync:{sync_map.name}:{link.record_id}", kind=ErrorKind.SYNC,
            at=run.tally.at, message=message, order_id=order.order_id, details=details,
        )
    )  # fmt: skip
    if line is not None and line.sync_error != message:
        line_id = line.line_id
        line.sync_error = message
        run.mutations.append(lambda o: _set_line_error(o, line_id, message))


def _set_number(order: SalesOrder, number: str) -> bool:
    if order.order_number is not None:
        return False
    order.order_number = number
    return True


def _set_line_error(order: SalesOrder, line_id: str, message: str | None) -> bool:
    line = order.line(line_id)
    if line.sync_error == message:
        return False
    line.sync_error = message
    return True
