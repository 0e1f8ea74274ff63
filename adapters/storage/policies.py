"""The PolicyRepository on Table Storage.

Layout of the Policies table:
- partition `current`: one row per policy, RowKey = escaped policy id, with the current version's
  JSON (`Json`) and the columns Name, Status, Version, Type and Entity; list() is one query.
- partition `versions|<policy id>`: one row per version, RowKey = version zero-padded to 10.

Concurrency: `save` and `add_version` re-read the current row, compare it with what the caller
expects (the same JSON for `save`, the same version number for `add_version`) and then replace it
conditionally on the ETag of that read. A writer in between changes the ETag and gets
ConcurrencyConflict, in this process or any other; no ETag is cached, so nothing goes stale.

The current row is the truth for the current version: its version row is written after it, so
a crash in between leaves that row behind, and `versions` uses the current row in its place.
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.storage.entities import (
    MAX_BATCH_OPERATIONS,
    Delete,
    Entity,
    EntityValue,
    UpdateMode,
)
from adapters.storage.keys import escape_key, join_key
from adapters.storage.table import Table, joined_text, text_properties
from domain.policies.model import Policy
from services.errors import ConcurrencyConflict

POLICIES_TABLE = "Policies"
CURRENT_PARTITION = "current"


class TablePolicyRepository:
    """Current policy versions in one partition, every version in a partition per policy."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, policy_id: str) -> Policy | None:
        """The current version, or None."""
        row = self._table.get(CURRENT_PARTITION, escape_key(policy_id))
        return None if row is None else _policy(row)

    def versions(self, policy_id: str) -> list[Policy]:
        """Every version, oldest first."""
        by_version = {p.version: p for p in map(_policy, self._table.query(versions_of(policy_id)))}
        current = self.get(policy_id)
        if current is not None:
            by_version[current.version] = current
        return [by_version[version] for version in sorted(by_version)]

    def list(self) -> list[Policy]:
        """The current version of every policy, by id."""
        return [_policy(row) for row in self._table.query(CURRENT_PARTITION)]

    def add(self, policy: Policy) -> None:
        """Store a new policy (EntityAlreadyExists if the id is taken)."""
        self._table.insert(_current_row(policy))
        self._table.upsert(_version_row(policy), UpdateMode.REPLACE)

    def save(self, policy: Policy, expected: Policy) -> None:
        """Replace the current version in place; ConcurrencyConflict unless it is `expected`."""
        stored = self._current(expected.policy_id)
        if _json(_policy(stored)) != _json(expected):
            raise ConcurrencyConflict(f"policy {expected.policy_id!r} changed since it was read")
        self._replace_current(policy, stored)
        self._table.upsert(_version_row(policy), UpdateMode.REPLACE)

    def add_version(self, new: Policy, archived: Policy) -> None:
        """Make `new` the current version and keep `archived` (the previous one) as history.

        The archived row goes first (an idempotent upsert): once `new` is current, the previous
        version must already be in the history.
        """
        stored = self._current(archived.policy_id)
        if _policy(stored).version != archived.version:
            raise ConcurrencyConflict(
                f"policy {archived.policy_id!r} is no longer at version {archived.version}"
            )
        self._table.upsert(_version_row(archived), UpdateMode.REPLACE)
        self._replace_current(new, stored)
        self._table.upsert(_version_row(new), UpdateMode.REPLACE)

    def delete(self, policy_id: str) -> None:
        """Remove the policy and its versions; the history goes first so a retry finishes."""
        partition = versions_of(policy_id)
        _delete_rows(self._table, partition, (row.row_key for row in self._table.query(partition)))
        self._table.delete(CURRENT_PARTITION, escape_key(policy_id))

    def _current(self, policy_id: str) -> Entity:
        row = self._table.get(CURRENT_PARTITION, escape_key(policy_id))
        if row is None:
            raise ConcurrencyConflict(f"policy {policy_id!r} no longer exists")
        return row

    def _replace_current(self, policy: Policy, stored: Entity) -> None:
        row = _current_row(policy)
        self._table.update(
            Entity(row.partition_key, row.row_key, row.properties, stored.etag), UpdateMode.REPLACE
        )


def versions_of(policy_id: str) -> str:
    """PartitionKey of a policy's version history."""
    return join_key("versions", policy_id)


def version_key(version: int) -> str:
    """RowKey of a version; zero-padding makes key order the version order."""
    return f"{version:010d}"


def _columns(policy: Policy) -> dict[str, EntityValue]:
    return {
        **text_properties("Json", _json(policy)),
        "PolicyId": policy.policy_id,
        "Name": policy.name,
        "Status": policy.status.value,
        "Version": policy.version,
        "Type": policy.type.value,
        "Entity": policy.entity.value,
    }


def _current_row(policy: Policy) -> Entity:
    return Entity(CURRENT_PARTITION, escape_key(policy.policy_id), _columns(policy))


def _version_row(policy: Policy) -> Entity:
    return Entity(versions_of(policy.policy_id), version_key(policy.version), _columns(policy))


def _json(policy: Policy) -> str:
    return policy.model_dump_json(by_alias=True)


def _policy(row: Entity) -> Policy:
    return Policy.model_validate_json(joined_text("Json", row.properties))


def _delete_rows(table: Table, partition: str, row_keys: Iterable[str]) -> None:
    """Delete rows of one partition in transactions of up to 100; a row already gone is fine."""
    keys = list(row_keys)
    for start in range(0, len(keys), MAX_BATCH_OPERATIONS):
        chunk = keys[start : start + MAX_BATCH_OPERATIONS]
        try:
            table.submit([Delete(partition, key) for key in chunk])
        except ConcurrencyConflict:
            # One row vanished (a concurrent delete), which fails the whole batch: row by row.
            for key in chunk:
                table.delete(partition, key)
