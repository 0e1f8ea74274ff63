"""The simulated `/data` service: entity set requests answered from the store.

Collections (GET), creates (POST), reads and updates by key (GET / PATCH `Set(<key>)`). A PATCH
honours `If-Match` (412 when the record moved on, `*` matches any version) and answers 204 with
the new `ETag`, or 200 with the record when the client sent `Prefer: return=representation`.
A collection read whose `$filter` requires a record's key reads only the rows with that key
(`simulators.fno.lookups`); the answer is the same as from reading every row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from simulators.fno.entities import ENTITY_SETS, EntitySet
from simulators.fno.fields import Entity, EntityError
from simulators.fno.lookups import candidates
from simulators.fno.odata import Collection, page
from simulators.fno.store import FnoStore
from simulators.fno.wire import json_body, json_response

_KEYED = re.compile(r"^(\w+)\((.*)\)$")


class DataService:
    """The OData entity sets over one store."""

    def __init__(self, store: FnoStore, page_size: int) -> None:
        self.store, self.page_size = store, page_size

    def handle(self, request: Request, resource: str) -> Response:
        """Answer an authorised `/data/<resource>` request."""
        name, key_text = _split(resource)
        entity_set = _entity_set(name)
        if key_text is not None:
            return self._keyed(request, entity_set, entity_set.parse_key(key_text))
        if request.method == "POST":
            return self._create(entity_set, json_body(request))
        if request.method == "GET":
            return self._query(request, entity_set)
        raise EntityError(405, f"{request.method} needs the key of a {entity_set.entity_type}")

    def edit(self, resource: str, body: Mapping[str, Any]) -> Response:
        """A change made by a user in F&O: no ETag check, notified like any other change."""
        name, key_text = _split(resource)
        entity_set = _entity_set(name)
        if key_text is None:
            raise EntityError(400, "edit one record: <set>(<key>)")
        changes = entity_set.to_store(body)
        row = self._write(entity_set, entity_set.parse_key(key_text), changes, None)
        return _row_response(entity_set, row, 200)

    def _keyed(self, request: Request, entity_set: EntitySet, key: dict[str, Any]) -> Response:
        if request.method == "GET":
            return _row_response(entity_set, self._find(entity_set, key), 200)
        if request.method != "PATCH":
            raise EntityError(405, f"{request.method} is not allowed on a {entity_set.name} key")
        changes = entity_set.to_store(json_body(request))
        row = self._write(entity_set, key, changes, request.headers.get("If-Match"))
        if "return=representation" in request.headers.get("Prefer", ""):
            return _row_response(entity_set, row, 200)
        response = Response(status=204)
        response.headers["ETag"] = row["@odata.etag"]
        return response

    def _create(self, entity_set: EntitySet, body: dict[str, Any]) -> Response:
        if entity_set.kind == "header":
            row = self.store.create_header(entity_set.to_store(body))
        elif entity_set.kind == "line":
            row = self.store.create_line(entity_set.to_store(body))
        else:
            raise NotFound(f"entity set {entity_set.name!r} cannot be created here")
        return _row_response(entity_set, row, 201)

    def _find(self, entity_set: EntitySet, key: Mapping[str, Any]) -> Entity:
        area = str(key["dataAreaId"])
        if entity_set.kind == "header":
            return self.store.header(area, str(key["SalesOrderNumber"]))
        if entity_set.kind == "line" and "InventoryLotId" in key:
            return self.store.line(area, str(key["InventoryLotId"]))
        if entity_set.kind == "line":
            sequence = int(key["LineCreationSequenceNumber"])
            return self.store.line_at(area, str(key["SalesOrderNumber"]), sequence)
        raise EntityError(400, f"read {entity_set.name} with $filter")

    def _write(
        self,
        entity_set: EntitySet,
        key: Mapping[str, Any],
        changes: Mapping[str, Any],
        if_match: str | None,
    ) -> Entity:
        row = self._find(entity_set, key)
        area = row["dataAreaId"]
        if entity_set.kind == "header":
            return self.store.update_header(area, row["SalesOrderNumber"], changes, if_match)
        return self.store.update_line(area, row["InventoryLotId"], changes, if_match)

    def _query(self, request: Request, entity_set: EntitySet) -> Response:
        with self.store.lock:  # a key filter starts from the keyed rows, any other from all
            stored = candidates(self.store, entity_set, request.args.get("$filter"))
            rows = [entity_set.view(row) for row in stored]
        where = Collection(
            entity_set.name, request.base_url,
            f"{request.host_url}data/$metadata#{entity_set.name}",
            self.store.default_company, self.page_size,
        )  # fmt: skip
        return json_response(page(rows, request.args, where), 200)


def _split(resource: str) -> tuple[str, str | None]:
    """`Set(<key>)` as ("Set", "<key>"); a bare set name as (name, None)."""
    keyed = _KEYED.match(resource)
    return (keyed.group(1), keyed.group(2)) if keyed else (resource, None)


def _entity_set(name: str) -> EntitySet:
    entity_set = ENTITY_SETS.get(name)
    if entity_set is None:
        raise NotFound(f"entity set {name!r} not found")
    return entity_set


def _row_response(entity_set: EntitySet, row: Entity, status: int) -> Response:
    response = json_response(entity_set.view(row), status)
    response.headers["ETag"] = row["@odata.etag"]
    return response
