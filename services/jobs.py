"""Background jobs and their log (IOM Monitoring > Background jobs: runs, status, counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from domain.orders.preferences import OrderHandlingPreferences


class JobStatus(StrEnum):
    """Where a job run stands."""

    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


@dataclass
class JobRun:
    """One run of a job: when, how it ended, and what it examined and did."""

    job: str
    run_id: str
    started_at: datetime
    trigger: str  # "timer" or "api"
    status: JobStatus = JobStatus.RUNNING
    ended_at: datetime | None = None
    examined: int = 0
    released: int = 0
    cancelled: int = 0
    details: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # other jobs' tallies, by name


@dataclass(frozen=True)
class JobRunPage:
    """Runs of a job, newest first."""

    runs: list[JobRun]
    continuation: str | None


class JobLog(Protocol):
    """Where job runs are recorded."""

    def save(self, run: JobRun) -> None:
        """Store the run (insert or replace by job and run id)."""
        ...

    def runs(self, job: str, continuation: str | None, limit: int) -> JobRunPage:
        """Runs of the job, newest first."""
        ...


class PreferenceStore(Protocol):
    """The order handling preferences: one record, defaults until someone saves it."""

    def load(self) -> OrderHandlingPreferences:
        """The stored preferences, or the defaults when none were saved."""
        ...

    def save(self, preferences: OrderHandlingPreferences) -> None:
        """Replace the preferences."""
        ...
