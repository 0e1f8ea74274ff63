"""Orders made in another system come to the hub: unlinked target records of a create-back map.

A header map with `create_back` (Prospect-to-cash "Sales to Fin and Ops") turns a target record
that no hub record is linked to, and that passes its target filter (an activated Sales order),
into a hub order. Its lines are read through the map's line maps (lines failing their filter,
write-ins, stay behind), the records become a PlaceOrder (`domain.sync.placement`) and the hub's
intake creates the order, so flows and policies run as for any new order. The order's channel is
the target system and its external id the record's key (the Sales order's GUID): intake is
idempotent on the two, so a record seen twice makes one order.

Links are saved after the order, the lines' first and the header's last: the header link is what
marks the record as taken, so a crash in between is finished by the next poll or notification.
A record linked on another map of its entity is one the hub sent there ("Fin and Ops to Sales")
and never comes back as a new order. A record the hub cannot take records a Sync error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import datetime

from pydantic import ValidationError

from domain.filters import FilterValue
from domain.orders.model import SalesOrder
from domain.sync.engine import apply_back
from domain.sync.maps import SyncMap
from domain.sync.placement import admits_back, external_id, placement
from domain.sync.records import line_sync_record, order_sync_record
from domain.sync.values import canonical
from services.errors import InvalidInput
from services.orders.commands import PlaceOrder
from services.orders.intake import new_order, place_order
from services.orders.ports import ErrorKind, OperationError
from services.sync.context import SyncContext, line_record_id
from services.sync.outbound import RECORD_FAILURES
from services.sync.ports import LinkConflict, RemoteRecord, SyncEndpoint, SyncLink
from services.sync.tally import Tally

logger = logging.getLogger(__name__)

Child = tuple[SyncMap, RemoteRecord]  # a line record and the line map that reads it


def creates_back(sync_map: SyncMap) -> bool:
    """True for a header map whose unlinked target records may create hub orders."""
    return sync_map.create_back and sync_map.parent is None


def create_back(
    context: SyncContext,
    maps: Sequence[SyncMap],
    sync_map: SyncMap,
    endpoint: SyncEndpoint,
    remote: RemoteRecord,
    tally: Tally,
) -> None:
    """Create the hub order of an unlinked target record the map admits; link it and its lines."""
    if not admits_back(sync_map, remote.fields) or _sent_by_hub(context, maps, sync_map, remote):
        tally.count(sync_map.name, "skipped")
        return
    try:
        children = _children(maps, sync_map, endpoint, remote, tally)
        command = _command(sync_map, remote, children)
        result = place_order(command, context.engine)
    except (*RECORD_FAILURES, ValidationError, InvalidInput) as err:
        _failed(context, sync_map, remote, tally, _message(err))
        return
    # The order as intake made it, before any flow changed it: what the link has synced.
    placed = new_order(command, result.order_id, tally.at)
    _link_lines(context, placed, children, tally)
    header = _link(sync_map, placed.order_id, remote, order_sync_record(placed), tally.at)
    _save(context, header)
    tally.count(sync_map.name, "synced")


def _sent_by_hub(
    context: SyncContext, maps: Sequence[SyncMap], sync_map: SyncMap, remote: RemoteRecord
) -> bool:
    """True when another map of the same entity links the record: the hub put it there."""
    return any(
        context.links.find(other.name, remote.key) is not None
        for other in maps
        if other.name != sync_map.name
        and other.target_system == sync_map.target_system
        and other.target_entity == sync_map.target_entity
    )


def _children(
    maps: Sequence[SyncMap],
    sync_map: SyncMap,
    endpoint: SyncEndpoint,
    remote: RemoteRecord,
    tally: Tally,
) -> list[Child]:
    """The header's line records that its line maps admit; the others are counted skipped."""
    taken: list[Child] = []
    for line_map in maps:
        if not line_map.enabled or line_map.parent != sync_map.name:
            continue
        for child in endpoint.children(line_map.target_entity, remote.key):
            if admits_back(line_map, child.fields):
                taken.append((line_map, child))
            else:
                tally.count(line_map.name, "skipped")  # a write-in the ERP would not know
    return taken


def _command(sync_map: SyncMap, remote: RemoteRecord, children: Sequence[Child]) -> PlaceOrder:
    header = apply_back(sync_map, remote.fields, creating=True)
    lines = [
        (external_id(child.key), apply_back(line_map, child.fields, creating=True))
        for line_map, child in children
    ]
    fields = placement(sync_map.target_system, external_id(remote.key), header, lines)
    return PlaceOrder.model_validate(fields)


def _link_lines(
    context: SyncContext, placed: SalesOrder, children: Sequence[Child], tally: Tally
) -> None:
    by_id = {external_id(child.key): (line_map, child) for line_map, child in children}
    for line in placed.lines:
        found = by_id.get(line.external_line_id or "")
        if found is None:
            continue
        line_map, child = found
        record_id = line_record_id(placed.order_id, line.line_id)
        hub = line_sync_record(placed, line)
        _save(context, _link(line_map, record_id, child, hub, tally.at))
        tally.count(line_map.name, "synced")


def _link(
    sync_map: SyncMap,
    record_id: str,
    remote: RemoteRecord,
    hub: Mapping[str, FilterValue],
    at: datetime,
) -> SyncLink:
    """The link as if the record had just synced: both sides hold the back columns' values."""
    back = [column for column in sync_map.columns if column.back]
    return SyncLink(
        map_name=sync_map.name, record_id=record_id, target_key=dict(remote.key),
        target_version=remote.version,
        source_values={c.source: canonical(hub.get(c.source)) for c in back},
        target_values={
            c.target: canonical(remote.fields[c.target]) for c in back if c.target in remote.fields
        },
        origin=sync_map.target_system, synced_at=at,
    )  # fmt: skip


def _save(context: SyncContext, link: SyncLink) -> None:
    # An insert: a link already there is an earlier attempt's or a concurrent worker's, to the
    # same order (its id comes from the record's key), and stands.
    with suppress(LinkConflict):
        context.links.save(link)


def _failed(
    context: SyncContext, sync_map: SyncMap, remote: RemoteRecord, tally: Tally, message: str
) -> None:
    record = external_id(remote.key)
    logger.warning("no hub order from %s on %r: %s", record, sync_map.name, message)
    tally.count(sync_map.name, "failed", message)
    context.engine.errors.record(
        OperationError(
            error_id=f"sync:{sync_map.name}:{record}", kind=ErrorKind.SYNC, at=tally.at,
            message=message, details={"map": sync_map.name, "record": record},
        )
    )  # fmt: skip


def _message(err: Exception) -> str:
    if isinstance(err, ValidationError):
        problems = (
            f"{'.'.join(str(part) for part in item['loc']) or 'order'}: {item['msg']}"
            for item in err.errors()
        )
        return "not an order the hub can take: " + "; ".join(problems)
    if isinstance(err, InvalidInput) and err.field:
        return f"not an order the hub can take: {err.field}: {err}"
    return str(err)
