"""Queue messages of the sync engine: inbound change notifications and initial-sync pages.

An initial sync runs as a chain of queue messages, one page of orders each, so no single
invocation runs long; each message carries the running counts and the page's continuation, and
the job log shows the run's progress after every page. A redelivered message redoes its page,
which the links make cheap and the counts make exact (they are recomputed from the message).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from services.jobs import JobLog, JobRun, JobStatus
from services.ports import Clock, IdGenerator, MessagePublisher
from services.sync.context import SyncContext
from services.sync.inbound import Change
from services.sync.initial import InitialSyncCounts, initial_sync_page
from services.sync.ports import Fields

INBOUND_QUEUE = "sync-inbound"
INITIAL_QUEUE = "sync-initial"
INITIAL_JOB = "sync-initial"


class ChangeNotice(BaseModel):
    """A change notification as a target system posts it (F&O simulator, Dataverse plug-in)."""

    model_config = ConfigDict(extra="ignore")

    entity: str = Field(min_length=1, max_length=200)
    key: dict[str, JsonValue] = Field(min_length=1)
    version: str | None = Field(default=None, max_length=200)


def accept_change(publisher: MessagePublisher, system: str, notice: ChangeNotice) -> None:
    """Queue a change notification: answer fast, apply once, at least once."""
    body = {"system": system, **notice.model_dump()}
    publisher.publish(INBOUND_QUEUE, json.dumps(body, separators=(",", ":")))


def read_change(body: str) -> Change:
    """The change of a queued notification (ValueError when malformed)."""
    data = json.loads(body)
    notice = ChangeNotice.model_validate(data)
    key: Fields = {str(k): _scalar(v) for k, v in notice.key.items()}
    return Change(str(data["system"]), notice.entity, key, notice.version)


class InitialPage(BaseModel):
    """One page of an initial sync: the run, where to continue, and the counts so far."""

    run_id: str
    started_at: datetime
    trigger: str
    page: int = 0
    continuation: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)


def start_initial_sync(
    job_log: JobLog, publisher: MessagePublisher, ids: IdGenerator, clock: Clock, trigger: str
) -> JobRun:
    """Record a running initial-sync job and queue its first page."""
    now = clock.now()
    run = JobRun(INITIAL_JOB, ids.new_id(), now, trigger)
    run.details.append("queued")
    job_log.save(run)
    page = InitialPage(run_id=run.run_id, started_at=now, trigger=trigger)
    publisher.publish(INITIAL_QUEUE, page.model_dump_json())
    return run


def continue_initial_sync(
    context: SyncContext, job_log: JobLog, publisher: MessagePublisher, body: str, page_size: int
) -> JobRun:
    """Sync the message's page, record progress, and queue the next page (or finish the run)."""
    page = InitialPage.model_validate_json(body)
    counts = InitialSyncCounts(**page.counts)
    run = JobRun(INITIAL_JOB, page.run_id, page.started_at, page.trigger)
    try:
        following = initial_sync_page(context, counts, page.continuation, page_size)
    except Exception as err:  # the run must end in the log either way; the queue retries
        _record(run, counts, page.page + 1, f"page {page.page + 1} failed: {err}")
        job_log.save(run)
        raise
    _record(run, counts, page.page + 1, None)
    if following is None:
        run.status, run.ended_at = JobStatus.SUCCEEDED, context.engine.clock.now()
    else:
        nxt = page.model_copy(
            update={"page": page.page + 1, "continuation": following, "counts": _dump(counts)}
        )
        publisher.publish(INITIAL_QUEUE, nxt.model_dump_json())
    job_log.save(run)
    return run


def _record(run: JobRun, counts: InitialSyncCounts, pages: int, error: str | None) -> None:
    run.examined = counts.examined
    run.details = [
        f"pages {pages}", f"synced {counts.synced}", f"failed {counts.failed}",
        f"skipped {counts.skipped}",
    ]  # fmt: skip
    if error is not None:
        run.details.append(error)


def _dump(counts: InitialSyncCounts) -> dict[str, int]:
    return {
        "examined": counts.examined, "synced": counts.synced, "failed": counts.failed,
        "skipped": counts.skipped,
    }  # fmt: skip


def _scalar(value: Any) -> str | int | bool | None:
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)
