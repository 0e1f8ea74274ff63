"""Sync maps as operators manage them: seeded from the shipped files, edited as new versions.

The shipped maps (`sync/maps/*.json`) are stored at start when the store does not have them;
after that the stored map is the truth, so an operator's edit is never overwritten by a
restart. Every edit or enable/disable stores a new version; earlier versions stay readable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.sync.maps import SyncMap, SyncMapError, parse_map
from services.errors import InvalidInput, NotFound
from services.sync.ports import LinkConflict, MapStatus, StoredMap, SyncMapStore, SyncStatusStore


@dataclass(frozen=True)
class MapView:
    """A map with its running status, as the API shows it."""

    stored: StoredMap
    status: MapStatus


def seed_maps(store: SyncMapStore, shipped: Sequence[SyncMap], at: datetime) -> list[str]:
    """Store each shipped map the store does not have yet; return the names stored."""
    added: list[str] = []
    for sync_map in shipped:
        if store.get(sync_map.name) is not None:
            continue
        try:
            store.save(StoredMap(sync_map.model_copy(update={"version": 1}), at))
        except LinkConflict:
            continue  # another instance seeded it first
        added.append(sync_map.name)
    return added


def list_maps(store: SyncMapStore, status: SyncStatusStore) -> list[MapView]:
    """Every map's current version with its status, by name."""
    stored = sorted(store.all(), key=lambda s: s.sync_map.name)
    return [MapView(s, status.get(s.sync_map.name)) for s in stored]


def get_map(store: SyncMapStore, status: SyncStatusStore, name: str) -> MapView:
    """One map with its status, or NotFound."""
    return MapView(_current(store, name), status.get(name))


def update_map(store: SyncMapStore, name: str, body: dict[str, Any], at: datetime) -> StoredMap:
    """Store an edited map as the next version; errors name the failing field."""
    current = _current(store, name)
    if body.get("name", name) != name:
        raise InvalidInput("a map's name cannot change; create a new map instead", "name")
    document = {**body, "name": name, "version": current.sync_map.version + 1}
    try:
        edited = parse_map(name, json.dumps(document))
    except SyncMapError as err:
        raise InvalidInput(str(err), _first_field(str(err), name)) from None
    return _save(store, edited, at)


def set_enabled(store: SyncMapStore, name: str, enabled: bool, at: datetime) -> StoredMap:
    """Enable or disable a map (a new version either way, so the change is on record)."""
    current = _current(store, name).sync_map
    if current.enabled == enabled:
        return _current(store, name)
    changed = current.model_copy(update={"enabled": enabled, "version": current.version + 1})
    return _save(store, changed, at)


def map_versions(store: SyncMapStore, name: str) -> list[SyncMap]:
    """Every version of a map, oldest first, or NotFound."""
    _current(store, name)
    return store.versions(name)


def _current(store: SyncMapStore, name: str) -> StoredMap:
    stored = store.get(name)
    if stored is None:
        raise NotFound(f"sync map {name!r} does not exist")
    return stored


def _save(store: SyncMapStore, sync_map: SyncMap, at: datetime) -> StoredMap:
    try:
        return store.save(StoredMap(sync_map, at))
    except LinkConflict:
        raise InvalidInput(
            f"sync map {sync_map.name!r} was changed by someone else; reload and retry", "version"
        ) from None


def _first_field(message: str, name: str) -> str | None:
    """The first failing field of a SyncMapError message ("<name>: <field>: <reason>; ...")."""
    rest = message.removeprefix(f"{name}: ")
    field, separator, _ = rest.partition(": ")
    return field if separator and " " not in field else None
