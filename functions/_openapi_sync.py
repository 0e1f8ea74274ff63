"""OpenAPI rows of the sync engine's routes: maps, their status and versions, changes, jobs."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from domain.sync.maps import SyncMap
from functions._openapi_operations import Operation, Ref, Schema, _array, _object
from functions._openapi_supply import _JOB_RUN
from services.sync.messages import ChangeNotice

SYNC_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (SyncMap, "validation"), (SyncMap, "serialization"), (ChangeNotice, "validation"),
]  # fmt: skip

_INT: Schema = {"type": "integer"}
_TEXT: Schema = {"type": ["string", "null"]}
_STATUS = _object(
    lastRunAt={"type": ["string", "null"], "format": "date-time"}, synced=_INT, failed=_INT,
    skipped=_INT, echoes=_INT, conflicts=_INT, lastError=_TEXT,
)  # fmt: skip
_SUMMARY = _object(
    name={"type": "string"}, version=_INT, enabled={"type": "boolean"},
    sourceEntity={"type": "string"}, targetSystem={"type": "string"},
    targetEntity={"type": "string"}, template=_TEXT, task=_TEXT,
    updatedAt={"type": "string", "format": "date-time"}, status=_STATUS,
)  # fmt: skip
_FULL = {**_SUMMARY, "properties": {**_SUMMARY["properties"], "map": {"type": "object"}}}
_MAP = ("The map with its status", _FULL)
_TALLY = _object(
    orderId={"type": "string"}, maps={"type": "object", "additionalProperties": _STATUS}
)

SYNC_OPERATIONS: tuple[Operation, ...] = (
    Operation("list_sync_maps", "GET", "/api/sync/maps", "sync",
              "Every sync map with its status (last run, synced, failed, skipped, echoes, "
              "conflicts, last error)", {"200": ("The maps", _object(maps=_array(_SUMMARY)))}),
    Operation("get_sync_map", "GET", "/api/sync/maps/{name}", "sync",
              "One map in full (columns, value maps, filters) with its status",
              {"200": _MAP}, ("404",)),
    Operation("edit_sync_map", "PUT", "/api/sync/maps/{name}", "sync",
              "Store an edited map as its next version (the name stays; errors name the field)",
              {"200": _MAP}, ("400", "404", "413"), body=SyncMap),
    Operation("enable_sync_map", "POST", "/api/sync/maps/{name}/enable", "sync",
              "Enable the map (a new version)", {"200": _MAP}, ("404",)),
    Operation("disable_sync_map", "POST", "/api/sync/maps/{name}/disable", "sync",
              "Disable the map: records stay where they are, nothing more is sent or taken",
              {"200": _MAP}, ("404",)),
    Operation("list_sync_map_versions", "GET", "/api/sync/maps/{name}/versions", "sync",
              "Every version of the map, oldest first",
              {"200": ("The versions", _object(versions=_array(Ref(SyncMap))))}, ("404",)),
    Operation("receive_sync_change", "POST", "/api/sync/changes/{system}", "sync",
              "A target system's change notification (entity, key, version), queued and brought "
              "back through the maps unless it is the hub's own write; 401 when the provider "
              "secret (X-Provider-Secret) does not match",
              {"202": ("Queued", _object(accepted={"type": "string"}))},
              ("400", "401", "404", "413"), body=ChangeNotice),
    Operation("start_initial_sync", "POST", "/api/sync/initial-sync", "sync",
              "Copy every existing order through the maps, a queued page at a time; progress "
              "and counts in GET /api/jobs/sync-initial/runs",
              {"202": ("The running job", _JOB_RUN)}),
    Operation("sync_one_order", "POST", "/api/sync/orders/{order_id}", "sync",
              "Sync one order now (after fixing a Sync Error) and answer what each map did",
              {"200": ("What each map did", _TALLY)}, ("404",)),
    Operation("run_sales_totals", "POST", "/api/jobs/sales-totals/run", "jobs",
              "Run the sales totals job now: recalculate the totals of orders changed since "
              "their last calculation (the stale index) and make them eligible for sync",
              {"200": ("The finished run (status says if it failed)", _JOB_RUN)}),
)  # fmt: skip
