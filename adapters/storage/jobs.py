"""The JobLog and the PreferenceStore on Table Storage.

Layout of the JobRuns table: PartitionKey = escaped job name, RowKey =
`<inverted start time>|<escaped run id>` (the error log's listing key), so ascending key order
is newest first and a page of runs is one range read of one partition. Every JobRun field is a
column (`Counts` as JSON; rows written before it existed read as no counts); the details are
JSON, cut to fit (at most 256K characters, over several properties) so logging a run never
fails on its size.

Layout of the Settings table: one row, PartitionKey `settings`, RowKey `order-handling`, with
the preferences' JSON (`Json`); no row means the defaults.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from adapters.storage.entities import Entity, EntityValue, UpdateMode
from adapters.storage.errors import listing_row_key
from adapters.storage.keys import escape_key
from adapters.storage.table import Table, joined_text, scan_up_to, text_properties
from domain.orders.preferences import OrderHandlingPreferences
from services.jobs import JobRun, JobRunPage, JobStatus

JOB_RUNS_TABLE = "JobRuns"
SETTINGS_TABLE = "Settings"
SETTINGS_PARTITION = "settings"
ORDER_HANDLING_ROW = "order-handling"
MAX_DETAILS_CHARS = 256 * 1024
MAX_DETAIL_CHARS = 4096
_CUT = " [cut]"


class TableJobLog:
    """Job runs in a partition per job, keyed newest first."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def save(self, run: JobRun) -> None:
        """Store the run (insert or replace by job and run id)."""
        row_key = listing_row_key(run.started_at, run.run_id)
        self._table.upsert(Entity(escape_key(run.job), row_key, _columns(run)), UpdateMode.REPLACE)

    def runs(self, job: str, continuation: str | None, limit: int) -> JobRunPage:
        """Runs of the job, newest first; a forged continuation raises InvalidContinuation."""
        query = f"PartitionKey eq {_quoted(escape_key(job))}"
        page = scan_up_to(self._table, query, limit, continuation=continuation)
        return JobRunPage([_run(row) for row in page.entities], page.continuation)


class TablePreferenceStore:
    """The order handling preferences as one row; the defaults until someone saves them."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def load(self) -> OrderHandlingPreferences:
        """The stored preferences, or the defaults when none were saved."""
        row = self._table.get(SETTINGS_PARTITION, ORDER_HANDLING_ROW)
        if row is None:
            return OrderHandlingPreferences()
        return OrderHandlingPreferences.model_validate_json(joined_text("Json", row.properties))

    def save(self, preferences: OrderHandlingPreferences) -> None:
        """Replace the preferences."""
        columns = text_properties("Json", preferences.model_dump_json(by_alias=True))
        self._table.upsert(
            Entity(SETTINGS_PARTITION, ORDER_HANDLING_ROW, columns), UpdateMode.REPLACE
        )


def details_json(details: list[str]) -> str:
    """Details as JSON of at most MAX_DETAILS_CHARS: long entries cut, the surplus counted."""
    kept: list[str] = []
    size = 2  # the brackets
    for index, detail in enumerate(details):
        entry = _cut(detail)
        entry_size = len(json.dumps(entry)) + 2  # the separator
        # Leave room for the closing note on how many entries were left out.
        if size + entry_size > MAX_DETAILS_CHARS - 100:
            kept.append(f"[{len(details) - index} more not stored]")
            break
        kept.append(entry)
        size += entry_size
    return json.dumps(kept)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - len(_CUT)] + _CUT


def _utc(at: datetime) -> datetime:
    """The instant; a naive time is taken as UTC, as everywhere in the hub."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _columns(run: JobRun) -> dict[str, EntityValue]:
    columns: dict[str, EntityValue] = {
        "Job": run.job,
        "RunId": run.run_id,
        "StartedAt": _utc(run.started_at),
        "Trigger": run.trigger,
        "Status": run.status.value,
        "Examined": run.examined,
        "Released": run.released,
        "Cancelled": run.cancelled,
        "Counts": json.dumps(run.counts, sort_keys=True),
        **text_properties("Details", details_json(run.details)),
    }
    if run.ended_at is not None:
        columns["EndedAt"] = _utc(run.ended_at)
    return columns


def _run(row: Entity) -> JobRun:
    props = row.properties
    ended_at = props.get("EndedAt")
    return JobRun(
        job=str(props["Job"]),
        run_id=str(props["RunId"]),
        started_at=_time(row, "StartedAt"),
        trigger=str(props["Trigger"]),
        status=JobStatus(str(props["Status"])),
        ended_at=ended_at if isinstance(ended_at, datetime) else None,
        examined=_count(row, "Examined"),
        released=_count(row, "Released"),
        cancelled=_count(row, "Cancelled"),
        details=[str(d) for d in json.loads(joined_text("Details", props))],
        counts=_counts(row),
    )


def _time(row: Entity, name: str) -> datetime:
    value = row.properties[name]
    if not isinstance(value, datetime):
        raise TypeError(f"job run row {row.row_key!r} has no {name}")
    return value


def _count(row: Entity, name: str) -> int:
    value = row.properties[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"job run row {row.row_key!r} has no {name}")
    return value


def _counts(row: Entity) -> dict[str, int]:
    text = row.properties.get("Counts")
    counts = json.loads(text) if isinstance(text, str) else {}
    if not isinstance(counts, dict):
        raise TypeError(f"job run row {row.row_key!r} has unreadable counts")
    return {str(name): int(value) for name, value in counts.items()}


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
