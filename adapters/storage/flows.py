"""The FlowRepository on Table Storage.

Layout of the Flows table:
- partition `current`: the editable definition of each flow, RowKey = escaped flow id, with its
  JSON (`Json`) and the columns FlowId, Name, Status and Version; list() is one query.
- partition `versions|<flow id>`: the immutable snapshot of each published version, RowKey =
  version zero-padded to 10. Running orders read these, so a definition edit never moves them.

Concurrency: `save` and `publish` re-read the definition, compare its JSON with `expected` and
write conditionally on the ETag of that read, so any writer in between gets ConcurrencyConflict.

`publish` writes the snapshot first, so a published version always has one. A snapshot that is
already there is fine when identical (a retried publish). When it differs while the definition
never reached that version, a publish that lost the race for the definition left it: it is
replaced, conditionally on its ETag and on the definition still being the one read. After its
definition write, the winner "seals" the snapshot (rewrites it conditionally on its ETag), so a
losing publisher's replacement in flight either fails or is overwritten. What remains unguarded is
the winner dying between its definition write and the seal while a loser replaced the snapshot.
"""

from __future__ import annotations

from dataclasses import replace

from adapters.storage.entities import Entity, EntityValue, UpdateMode
from adapters.storage.keys import escape_key, join_key
from adapters.storage.table import Table, joined_text, text_properties
from domain.flows.model import Flow
from services.errors import ConcurrencyConflict, EntityAlreadyExists

FLOWS_TABLE = "Flows"
CURRENT_PARTITION = "current"
SEAL_ATTEMPTS = 3


class TableFlowRepository:
    """Flow definitions in one partition, published snapshots in a partition per flow."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, flow_id: str) -> Flow | None:
        """The flow's current definition and status, or None."""
        row = self._table.get(CURRENT_PARTITION, escape_key(flow_id))
        return None if row is None else _flow(row)

    def get_version(self, flow_id: str, version: int) -> Flow | None:
        """The snapshot taken when that version was published, or None."""
        row = self._table.get(snapshots_of(flow_id), version_key(version))
        return None if row is None else _flow(row)

    def list(self) -> list[Flow]:
        """Every flow's current definition, by id."""
        return [_flow(row) for row in self._table.query(CURRENT_PARTITION)]

    def add(self, flow: Flow) -> None:
        """Store a new flow (EntityAlreadyExists if the id is taken)."""
        self._table.insert(_definition_row(flow))

    def save(self, flow: Flow, expected: Flow) -> None:
        """Replace the definition; ConcurrencyConflict unless the stored one is `expected`."""
        stored = self._expected(expected)
        self._table.update(replace(_definition_row(flow), etag=stored.etag), UpdateMode.REPLACE)

    def publish(self, flow: Flow, expected: Flow) -> None:
        """Store the snapshot of `flow.version`, then the definition (conditional on expected)."""
        stored = self._expected(expected)
        if _flow(stored).version >= flow.version:
            raise ConcurrencyConflict(f"flow {flow.flow_id!r} version {flow.version} exists")
        snapshot_etag = self._write_snapshot(flow, stored)
        self._table.update(replace(_definition_row(flow), etag=stored.etag), UpdateMode.REPLACE)
        self._seal(flow, snapshot_etag)

    def delete(self, flow_id: str) -> None:
        """Remove the flow's definition (published snapshots stay for running orders)."""
        self._table.delete(CURRENT_PARTITION, escape_key(flow_id))

    def _expected(self, expected: Flow) -> Entity:
        """The stored definition row, if it is `expected`; else ConcurrencyConflict."""
        stored = self._table.get(CURRENT_PARTITION, escape_key(expected.flow_id))
        if stored is None or _json(_flow(stored)) != _json(expected):
            raise ConcurrencyConflict(f"flow {expected.flow_id!r} changed since it was read")
        return stored

    def _write_snapshot(self, flow: Flow, definition: Entity) -> str | None:
        """Insert the snapshot, accept an identical one, replace an orphan; its ETag."""
        row = _snapshot_row(flow)
        try:
            return self._table.insert(row).etag
        except EntityAlreadyExists:
            existing = self._table.get(row.partition_key, row.row_key)
        if existing is None:
            raise ConcurrencyConflict(f"flow {flow.flow_id!r} snapshot vanished while published")
        if joined_text("Json", existing.properties) == _json(flow):
            return existing.etag
        current = self._table.get(definition.partition_key, definition.row_key)
        if current is None or current.etag != definition.etag:
            raise ConcurrencyConflict(f"flow {flow.flow_id!r} is being published concurrently")
        return self._table.update(replace(row, etag=existing.etag), UpdateMode.REPLACE).etag

    def _seal(self, flow: Flow, etag: str | None) -> None:
        """Rewrite our snapshot conditionally, so no replacement read before it can land after."""
        row = _snapshot_row(flow)
        for _ in range(SEAL_ATTEMPTS):
            try:
                self._table.update(replace(row, etag=etag), UpdateMode.REPLACE)
            except ConcurrencyConflict:
                found = self._table.get(row.partition_key, row.row_key)
                etag = None if found is None else found.etag
                continue
            return
        raise ConcurrencyConflict(f"flow {flow.flow_id!r} snapshot kept changing while sealed")


def snapshots_of(flow_id: str) -> str:
    """PartitionKey of a flow's published snapshots."""
    return join_key("versions", flow_id)


def version_key(version: int) -> str:
    """RowKey of a version; zero-padding makes key order the version order."""
    return f"{version:010d}"


def _columns(flow: Flow) -> dict[str, EntityValue]:
    return {
        **text_properties("Json", _json(flow)),
        "FlowId": flow.flow_id,
        "Name": flow.name,
        "Status": flow.status.value,
        "Version": flow.version,
    }


def _definition_row(flow: Flow) -> Entity:
    return Entity(CURRENT_PARTITION, escape_key(flow.flow_id), _columns(flow))


def _snapshot_row(flow: Flow) -> Entity:
    return Entity(snapshots_of(flow.flow_id), version_key(flow.version), _columns(flow))


def _json(flow: Flow) -> str:
    return flow.model_dump_json(by_alias=True)


def _flow(row: Entity) -> Flow:
    return Flow.model_validate_json(joined_text("Json", row.properties))
