"""devhost's timers against Azurite: run on startup, past-due detection, manual runs, schedules."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient

from tests.devhost.harness import DevHost, Effects, wait_until
from tests.support.azurite import Azurite
from tests.support.ids import random_name

pytestmark = pytest.mark.integration

YEARLY = "0 0 0 1 1 *"
STATUS_TABLE = "AzureWebJobsHostTimers"


@dataclass
class TimerApp:
    host: DevHost
    effects: Effects
    status: TableClient
    host_id: str


def _seed_past_due(status: TableClient, host_id: str, next_run: datetime) -> None:
    """Record that `yearly` was due at next_run, as a previous host run would have left it."""
    status.upsert_entity(
        {
            "PartitionKey": host_id,
            "RowKey": "yearly",
            "Last": (next_run - timedelta(days=365)).isoformat(),
            "Next": next_run.isoformat(),
            "LastUpdated": (next_run - timedelta(days=365)).isoformat(),
            "Schedule": YEARLY,
        }
    )


@pytest.fixture(scope="module")
def app(azurite: Azurite) -> Iterator[TimerApp]:
    """One host: `yearly` seeded as past due, `tick` switched on (it is disabled by default)."""
    effects = Effects(azurite.connection_string, random_name("effects"))
    host_id = random_name("host")
    status = TableClient.from_connection_string(azurite.connection_string, STATUS_TABLE)
    with contextlib.suppress(ResourceExistsError):
        status.create_table()
    _seed_past_due(status, host_id, datetime.now(UTC) - timedelta(hours=1))
    settings = {
        "EFFECTS_TABLE": effects.name,
        "AzureFunctionsWebHost__hostid": host_id,
        "AzureWebJobs.tick.Disabled": "false",
    }
    with DevHost("timer_app", azurite.connection_string, **settings) as host:
        yield TimerApp(host, effects, status, host_id)
    status.close()
    effects.close()


def test_run_on_startup_fires_exactly_once(app: TimerApp) -> None:
    (first,) = app.effects.wait_for("startup")
    time.sleep(1.5)

    assert len(app.effects.of("startup")) == 1
    assert first["past_due"] is False


def test_past_due_timer_fires_once_marked_past_due(app: TimerApp) -> None:
    app.effects.wait_for("yearly")
    time.sleep(0.5)

    past_due = [row for row in app.effects.of("yearly") if row["past_due"]]
    assert len(past_due) == 1
    stored = app.status.get_entity(app.host_id, "yearly")
    assert datetime.fromisoformat(stored["Next"]) > datetime.now(UTC)
    assert datetime.fromisoformat(stored["Last"]) > datetime.now(UTC) - timedelta(minutes=1)


def test_sub_minute_schedule_fires_repeatedly_and_is_not_monitored(app: TimerApp) -> None:
    ticks = app.effects.wait_for("tick", count=2, timeout=5)

    assert not any(row["past_due"] for row in ticks)
    rows = app.status.query_entities("PartitionKey eq @p", parameters={"p": app.host_id})
    assert sorted(row["RowKey"] for row in rows) == ["yearly"]


def test_manual_run_of_a_timer(app: TimerApp) -> None:
    response = app.host.request("POST", "/admin/functions/yearly", json={"input": ""})

    assert response.status_code == 202
    wait_until(lambda: [row for row in app.effects.of("yearly") if not row["past_due"]])
