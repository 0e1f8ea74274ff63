"""Timer schedule status (Last, Next, LastUpdated, Schedule) kept in Table Storage."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

STATUS_TABLE = "AzureWebJobsHostTimers"
# .NET's DateTime.MinValue, which the Functions host reports before a timer's first run.
NEVER = "0001-01-01T00:00:00"


def _parse(value: Any) -> datetime | None:
    if not value or value == NEVER:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    # A time written without an offset is taken as UTC, so comparisons never mix naive and aware.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _format(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else NEVER


@dataclass(frozen=True)
class ScheduleStatus:
    """The monitor record of one timer."""

    last: datetime | None
    next: datetime | None
    last_updated: datetime | None
    schedule: str | None = None

    def as_trigger_status(self) -> dict[str, str]:
        """The `ScheduleStatus` object a TimerRequest carries."""
        return {
            "Last": _format(self.last),
            "Next": _format(self.next),
            "LastUpdated": _format(self.last_updated),
        }


class TimerStatusStore:
    """Reads and writes timer statuses in table AzureWebJobsHostTimers, one partition per host."""

    def __init__(self, connection: str, host_id: str) -> None:
        self._table = TableClient.from_connection_string(connection, STATUS_TABLE)
        self._host_id = host_id
        self._created = False
        self._lock = threading.Lock()

    def _ensure_table(self) -> None:
        with self._lock:
            if self._created:
                return
            with contextlib.suppress(ResourceExistsError):
                self._table.create_table()
            self._created = True

    def get(self, function_name: str) -> ScheduleStatus | None:
        """The stored status, or None before the first record."""
        self._ensure_table()
        try:
            entity = self._table.get_entity(self._host_id, function_name)
        except ResourceNotFoundError:
            return None
        return ScheduleStatus(
            last=_parse(entity.get("Last")),
            next=_parse(entity.get("Next")),
            last_updated=_parse(entity.get("LastUpdated")),
            schedule=entity.get("Schedule"),
        )

    def put(self, function_name: str, status: ScheduleStatus) -> None:
        """Store the status (replacing the previous one)."""
        self._ensure_table()
        entity = {
            "PartitionKey": self._host_id,
            "RowKey": function_name,
            **status.as_trigger_status(),
            "Schedule": status.schedule or "",
        }
        self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)
