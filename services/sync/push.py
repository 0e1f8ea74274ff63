"""Send one hub record through one map to its target, once, with the echo guard and owners.

Only fields whose value differs from what the link says the target holds are sent, so a
change that came from the target (and was applied to the hub) finds nothing to send back. An
update is conditional on the target version the link last saw; when the target moved on, the
columns changed on both sides go to their owner (the column's, else the map's) and the write is
retried once against the new version. Creating first looks the record up by the map's key, so a
create retried after a crash finds the record instead of making a second one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.filters import FilterValue
from domain.sync.engine import apply_back, apply_forward
from domain.sync.maps import SyncMap
from domain.sync.values import canonical
from services.providers.gateway import PermanentProviderFailure
from services.sync.ports import Fields, RemoteRecord, SyncEndpoint, SyncLink, VersionConflict

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pushed:
    """What a push did: the link as saved, the target record (None when nothing was sent)."""

    link: SyncLink
    remote: RemoteRecord | None
    back: Fields  # values the target assigned (e.g. a number) to write back to the hub
    conflicts: int = 0


def push(
    sync_map: SyncMap,
    endpoint: SyncEndpoint,
    link: SyncLink,
    record: Mapping[str, FilterValue],
    at: datetime,
) -> Pushed:
    """Send the record's forward fields that the target does not hold yet; return the new link."""
    creating = not link.target_key
    fields = apply_forward(sync_map, record, creating=creating)
    source_values = _source_values(sync_map, record)
    if creating:
        remote = _create(sync_map, endpoint, fields)
        conflicts = 0
    else:
        delta = {k: v for k, v in fields.items() if link.target_values.get(k) != canonical(v)}
        if not delta:
            return Pushed(link, None, {})
        logger.info("sync %s on %r: sending %s", link.record_id, sync_map.name, sorted(delta))
        remote, conflicts = _update(sync_map, endpoint, link, delta, source_values)
    sent = {k: canonical(v) for k, v in fields.items()}
    new_link = _linked(link, remote, sent, source_values, at)
    back = _assigned(sync_map, remote, fields)
    return Pushed(new_link, remote, back, conflicts)


def target_key_of(sync_map: SyncMap, fields: Mapping[str, FilterValue]) -> Fields | None:
    """The map's key fields in target names, when the forward record holds them all."""
    key: Fields = {}
    for source in sync_map.key_fields:
        column = next(c for c in sync_map.columns if c.source == source and c.forward)
        value = fields.get(column.target)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        key[column.target] = value
    return key


def _create(sync_map: SyncMap, endpoint: SyncEndpoint, fields: Fields) -> RemoteRecord:
    entity = sync_map.target_entity
    key = target_key_of(sync_map, fields)
    existing = endpoint.find(entity, key) if key else None
    if existing is None:
        try:
            return endpoint.create(entity, fields)
        except PermanentProviderFailure:
            # Another worker syncing the same record may have created it a moment ago.
            existing = endpoint.find(entity, key) if key else None
            if existing is None:
                raise
    return endpoint.update(entity, existing.key, fields, if_version=existing.version)


def _update(
    sync_map: SyncMap,
    endpoint: SyncEndpoint,
    link: SyncLink,
    delta: Fields,
    source_values: dict[str, str],
) -> tuple[RemoteRecord, int]:
    entity = sync_map.target_entity
    try:
        return endpoint.update(entity, link.target_key, delta, if_version=link.target_version), 0
    except VersionConflict:
        current = endpoint.get(entity, link.target_key)
        if current is None:
            raise
    kept, conflicts = _owned(sync_map, link, delta, current, source_values)
    if not kept:
        return current, conflicts
    return endpoint.update(entity, current.key, kept, if_version=current.version), conflicts


def _owned(
    sync_map: SyncMap,
    link: SyncLink,
    delta: Fields,
    current: RemoteRecord,
    source_values: dict[str, str],
) -> tuple[Fields, int]:
    """Drop the fields the target changed too and owns; count every both-sides change."""
    kept: Fields = {}
    conflicts = 0
    for target, value in delta.items():
        column = next(c for c in sync_map.columns if c.forward and c.target == target)
        theirs = canonical(current.fields.get(target))
        if theirs == canonical(value):
            continue  # the target already holds it (e.g. the change came from there)
        changed_there = theirs != link.target_values.get(target, theirs)
        changed_here = source_values.get(column.source) != link.source_values.get(column.source)
        if changed_there and changed_here:
            conflicts += 1
            if (column.owner or sync_map.owner) == "target":
                continue
        kept[target] = value
    return kept, conflicts


def _source_values(sync_map: SyncMap, record: Mapping[str, FilterValue]) -> dict[str, str]:
    return {c.source: canonical(record.get(c.source)) for c in sync_map.columns if c.forward}


def _linked(
    link: SyncLink,
    remote: RemoteRecord,
    sent: dict[str, str],
    source_values: dict[str, str],
    at: datetime,
) -> SyncLink:
    target_values = {**link.target_values, **sent}
    for field_name in sent:
        if field_name in remote.fields:
            target_values[field_name] = canonical(remote.fields[field_name])
    return SyncLink(
        map_name=link.map_name, record_id=link.record_id, target_key=dict(remote.key),
        target_version=remote.version, source_values={**link.source_values, **source_values},
        target_values=target_values, origin="hub", synced_at=at, error=None, etag=link.etag,
    )  # fmt: skip


def _assigned(sync_map: SyncMap, remote: RemoteRecord, sent: Fields) -> Fields:
    """Back-flowing values the target set differently from what was sent (e.g. a number)."""
    changed = {
        c.source
        for c in sync_map.columns
        if c.back
        and c.target in remote.fields
        and canonical(remote.fields[c.target]) != canonical(sent.get(c.target))
    }
    if not changed:
        return {}
    back = apply_back(sync_map, remote.fields)  # whole record: transforms read other fields
    return {k: v for k, v in back.items() if k in changed}
