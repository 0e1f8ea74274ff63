"""Changes made in other systems, back to the hub: notifications and polling, with the echo guard.

A record no hub record is linked to is skipped, unless its map creates back: then an order made
in that system (an activated Sales order) becomes a hub order (`services.sync.create_back`).
A change whose version is the one the hub itself wrote is an echo and stops here. Otherwise
only the back-flowing columns whose target value differs from what the link last saw are
applied; a column the hub changed too since the last sync is a conflict, and the column's owner
(else the map's) decides. The order is saved before the link; a sync running in between finds the
target already holding the value and sends nothing back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.filters import FilterValue
from domain.orders.model import SalesOrder
from domain.sync.engine import apply_back
from domain.sync.maps import SyncMap
from domain.sync.records import apply_to_line, apply_to_order, line_sync_record, order_sync_record
from domain.sync.values import canonical
from services.sync.context import SyncContext, split_record_id
from services.sync.create_back import create_back, creates_back
from services.sync.ports import Fields, RemoteRecord, SyncLink
from services.sync.tally import Tally

POLL_LIMIT = 200


@dataclass(frozen=True)
class Change:
    """A change notification: which record of which system changed, and to which version."""

    system: str
    entity: str
    key: Fields
    version: str | None = None


def apply_change(context: SyncContext, change: Change) -> Tally:
    """Bring one changed target record back to the hub through every map bound to its entity."""
    tally = Tally(_key_text(change.key), context.engine.clock.now())
    endpoint = context.endpoint(change.system)
    maps = context.current_maps()
    for sync_map in _maps_for(maps, change.system, change.entity):
        link = context.links.find(sync_map.name, change.key)
        if endpoint is None or (link is None and not creates_back(sync_map)):
            tally.count(sync_map.name, "skipped")  # not a record the hub sent or owns
            continue
        if link is None:
            unlinked = endpoint.get(change.entity, change.key)
            if unlinked is not None:
                create_back(context, maps, sync_map, endpoint, unlinked, tally)
            continue
        if change.version is not None and change.version == link.target_version:
            tally.count(sync_map.name, "echoes")
            continue
        remote = endpoint.get(change.entity, link.target_key or change.key)
        if remote is not None:
            apply_remote(context, sync_map, link, remote, tally)
    tally.flush(context.status)
    return tally


def poll(context: SyncContext, system: str, limit: int = POLL_LIMIT) -> Tally:
    """Read each map's changes since its watermark and apply them; advance the watermarks."""
    tally = Tally(f"poll:{system}", context.engine.clock.now())
    endpoint = context.endpoint(system)
    if endpoint is None:
        return tally
    maps = context.current_maps()
    for sync_map in _maps_for(maps, system, None):
        since = context.cursors.get(sync_map.name)
        records = endpoint.changed_since(sync_map.target_entity, since, limit)
        for remote in records:
            counted = tally if _after(remote, since) else Tally(tally.record_id, tally.at)
            link = context.links.find(sync_map.name, remote.key)
            if link is not None:
                apply_remote(context, sync_map, link, remote, counted)
            elif creates_back(sync_map):
                create_back(context, maps, sync_map, endpoint, remote, counted)
            else:
                counted.count(sync_map.name, "skipped")  # not a record the hub sent or owns
        latest = max((r.modified_at for r in records if r.modified_at), default=None)
        if latest is not None:
            context.cursors.advance(sync_map.name, latest)
    tally.flush(context.status)
    return tally


def _after(remote: RemoteRecord, since: datetime | None) -> bool:
    """True unless the record sits on the watermark itself.

    Targets are read from the watermark inclusive (timestamps are whole seconds, so a later
    change in the same second must not be missed); the records on it were handled by the
    previous poll, and counting them again would grow the map's status on every idle poll.
    """
    return since is None or remote.modified_at is None or remote.modified_at > since


def apply_remote(
    context: SyncContext, sync_map: SyncMap, link: SyncLink, remote: RemoteRecord, tally: Tally
) -> None:
    """Apply the target record's new back-flowing values to the hub record the link names."""
    if remote.version is not None and remote.version == link.target_version:
        tally.count(sync_map.name, "echoes")
        return
    changed = _changed_targets(sync_map, link, remote)
    if not changed:
        link.target_version = remote.version
        context.links.save(link)
        tally.count(sync_map.name, "echoes")  # the target holds what the hub already knows
        return
    order_id, line_id = split_record_id(link.record_id)
    loaded = context.engine.orders.get(order_id)
    if loaded is None:
        tally.count(sync_map.name, "skipped")
        return
    hub = _hub_values(loaded.order, line_id)
    back = _back_values(sync_map, remote, changed)
    applied, conflicts = _resolve(sync_map, link, back, hub)
    if applied:
        # The order first: a sync that reads the new order with the old link finds the target
        # already holding the value; one that reads the old order never sees the new link.
        context.update_order(order_id, [lambda order: _apply(order, line_id, applied)])
    context.links.save(_seen(link, sync_map, remote, applied, context.engine.clock.now()))
    tally.count(sync_map.name, "synced" if applied else "echoes")
    for _ in range(conflicts):
        tally.count(sync_map.name, "conflicts")


def _maps_for(maps: Sequence[SyncMap], system: str, entity: str | None) -> list[SyncMap]:
    return [
        m
        for m in maps
        if m.enabled and m.target_system == system and entity in (None, m.target_entity)
    ]


def _changed_targets(sync_map: SyncMap, link: SyncLink, remote: RemoteRecord) -> set[str]:
    return {
        c.target
        for c in sync_map.columns
        if c.back
        and c.target in remote.fields
        and canonical(remote.fields[c.target]) != link.target_values.get(c.target)
    }


def _back_values(sync_map: SyncMap, remote: RemoteRecord, changed: set[str]) -> Fields:
    back = apply_back(sync_map, remote.fields)  # whole record: transforms read other fields
    sources = {c.source for c in sync_map.columns if c.back and c.target in changed}
    return {k: v for k, v in back.items() if k in sources}


def _hub_values(order: SalesOrder, line_id: str | None) -> Mapping[str, FilterValue]:
    if line_id is None:
        return order_sync_record(order)
    return line_sync_record(order, order.line(line_id))


def _resolve(
    sync_map: SyncMap, link: SyncLink, back: Fields, hub: Mapping[str, FilterValue]
) -> tuple[Fields, int]:
    """Keep the values the hub did not change since the last sync, or that the target owns."""
    applied: Fields = {}
    conflicts = 0
    for source, value in back.items():
        ours = canonical(hub.get(source))
        if ours == canonical(value):
            continue
        if ours != link.source_values.get(source, ours):
            conflicts += 1
            column = next(c for c in sync_map.columns if c.back and c.source == source)
            if (column.owner or sync_map.owner) == "source":
                continue
        applied[source] = value
    return applied, conflicts


def _seen(
    link: SyncLink, sync_map: SyncMap, remote: RemoteRecord, applied: Fields, at: datetime
) -> SyncLink:
    target_values = dict(link.target_values)
    for column in sync_map.columns:
        if column.back and column.target in remote.fields:
            target_values[column.target] = canonical(remote.fields[column.target])
    source_values = {**link.source_values, **{k: canonical(v) for k, v in applied.items()}}
    return SyncLink(
        map_name=link.map_name, record_id=link.record_id, target_key=link.target_key,
        target_version=remote.version, source_values=source_values, target_values=target_values,
        origin=sync_map.target_system, synced_at=at, error=link.error, etag=link.etag,
    )  # fmt: skip


def _apply(order: SalesOrder, line_id: str | None, values: Fields) -> bool:
    if line_id is None:
        return bool(apply_to_order(order, values))
    return bool(apply_to_line(order.line(line_id), values))


def _key_text(key: Mapping[str, FilterValue]) -> str:
    return "|".join(f"{k}={canonical(v)}" for k, v in sorted(key.items()))
