"""A fake target system for sync service tests: records per entity, ETags, refusals, edits."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from domain.filters import FilterValue
from domain.sync.values import canonical
from services.providers.gateway import PermanentProviderFailure
from services.sync.ports import Fields, RemoteRecord, VersionConflict

# The key fields of the entities the shipped F&O and Sales maps write.
KEYS: dict[str, tuple[str, ...]] = {
    "CDS sales order headers": ("dataAreaId", "SalesOrderNumber"),
    "CDS sales order lines": ("dataAreaId", "SalesOrderNumber", "LineCreationSequenceNumber"),
    "salesorders": ("salesorderid",),
    "salesorderdetails": ("salesorderdetailid",),
}
# Keys the system assigns when a create leaves them out (Dataverse GUIDs).
ASSIGNED = frozenset({"salesorderid", "salesorderdetailid"})
# child entity -> {child field: the parent key field it holds}
PARENTS: dict[str, dict[str, str]] = {
    "CDS sales order lines": {"dataAreaId": "dataAreaId", "SalesOrderNumber": "SalesOrderNumber"},
    "salesorderdetails": {"salesorderid.salesorderid": "salesorderid"},
}


@dataclass
class FakeEndpoint:
    """Implements SyncEndpoint in memory; every write is recorded in `writes`."""

    refuse: dict[str, str] = field(default_factory=dict)  # field=value text -> message
    rows: dict[str, dict[str, Fields]] = field(default_factory=dict)
    versions: dict[str, dict[str, int]] = field(default_factory=dict)
    writes: list[tuple[str, str, Fields]] = field(default_factory=list)
    _clock: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def get(self, entity: str, key: Mapping[str, FilterValue]) -> RemoteRecord | None:
        text = _key_text(entity, key)
        row = self.rows.get(entity, {}).get(text)
        return None if row is None else self._record(entity, text, row)

    def find(self, entity: str, fields: Mapping[str, FilterValue]) -> RemoteRecord | None:
        for text, row in self.rows.get(entity, {}).items():
            if all(canonical(row.get(k)) == canonical(v) for k, v in fields.items()):
                return self._record(entity, text, row)
        return None

    def create(self, entity: str, fields: Mapping[str, FilterValue]) -> RemoteRecord:
        self._check(fields)
        row = dict(fields)
        for name in ASSIGNED & set(KEYS[entity]) - row.keys():
            row[name] = f"{name}-{len(self.rows.get(entity, {})) + 1:04d}"
        text = _key_text(entity, row)
        if text in self.rows.get(entity, {}):
            raise PermanentProviderFailure(f"{entity} {text} already exists", status=400)
        self.rows.setdefault(entity, {})[text] = row
        self.writes.append(("create", entity, dict(fields)))
        return self._bump(entity, text)

    def update(
        self,
        entity: str,
        key: Mapping[str, FilterValue],
        fields: Mapping[str, FilterValue],
        *,
        if_version: str | None = None,
    ) -> RemoteRecord:
        self._check(fields)
        text = _key_text(entity, key)
        row = self.rows[entity][text]
        if if_version is not None and if_version != self._version(entity, text):
            raise VersionConflict(f"{entity} {text} moved on")
        row.update(fields)
        self.writes.append(("update", entity, dict(fields)))
        return self._bump(entity, text)

    def changed_since(
        self, entity: str, since: datetime | None, limit: int
    ) -> Sequence[RemoteRecord]:
        records = [self._record(entity, t, r) for t, r in self.rows.get(entity, {}).items()]
        fresh = [r for r in records if since is None or (r.modified_at and r.modified_at >= since)]
        return sorted(fresh, key=lambda r: r.modified_at or datetime.min)[:limit]

    def children(
        self, entity: str, parent_key: Mapping[str, FilterValue]
    ) -> Sequence[RemoteRecord]:
        if entity not in PARENTS:
            raise PermanentProviderFailure(f"{entity} has no parent", status=400)
        fields = {child: parent_key.get(parent) for child, parent in PARENTS[entity].items()}
        return [
            self._record(entity, text, row)
            for text, row in self.rows.get(entity, {}).items()
            if all(canonical(row.get(k)) == canonical(v) for k, v in fields.items())
        ]

    def edit(self, entity: str, key: Mapping[str, FilterValue], **fields: FilterValue) -> str:
        """A user's edit in the target system; returns the new version."""
        text = _key_text(entity, key)
        self.rows[entity][text].update(fields)
        record = self._bump(entity, text)
        assert record.version is not None
        return record.version

    def _check(self, fields: Mapping[str, FilterValue]) -> None:
        for name, value in fields.items():
            message = self.refuse.get(f"{name}={value}")
            if message is not None:
                raise PermanentProviderFailure(message, status=400)

    def _bump(self, entity: str, text: str) -> RemoteRecord:
        versions = self.versions.setdefault(entity, {})
        versions[text] = next(self._clock)
        return self._record(entity, text, self.rows[entity][text])

    def _version(self, entity: str, text: str) -> str:
        return f'W/"{self.versions[entity][text]}"'

    def _record(self, entity: str, text: str, row: Fields) -> RemoteRecord:
        key = {k: row.get(k) for k in KEYS[entity]}
        tick = self.versions[entity][text]
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=tick)
        return RemoteRecord(entity, key, dict(row), self._version(entity, text), at)


def _key_text(entity: str, fields: Mapping[str, FilterValue]) -> str:
    return "|".join(canonical(fields.get(k)) for k in KEYS[entity])
