import base64
import json
import subprocess
import sys

import httpx
import pytest
from azure.storage.queue import QueueClient

from adapters.storage.azure_table import AzureTableService
from adapters.storage.outbox import outbox_row_key
from tests.support.azurite import ROOT
from tests.support.ids import random_id, random_name
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def queued_ids(connection: str, queue: str) -> list[str]:
    client = QueueClient.from_connection_string(connection, queue)
    messages = client.peek_messages(max_messages=32)
    return [json.loads(base64.b64decode(m.content))["id"] for m in messages]


def crash_after_commit(connection: str, table: str, partition: str, message_id: str, queue: str):
    args = [connection, table, partition, message_id, queue]
    script = [sys.executable, "-m", "tests.support.crash_after_commit"]
    return subprocess.run([*script, *args], cwd=ROOT, capture_output=True, timeout=60)


def run_sweeper(app_host, runs_before: int) -> None:
    response = httpx.post(f"{app_host.base_url}/admin/functions/sweep_outbox", json={"input": ""})
    assert response.status_code == 202
    done = "Executed 'Functions.sweep_outbox' (Succeeded"
    wait_until(lambda: app_host.log().count(done) > runs_before)


def pending_ids(app_host) -> list[str]:
    pending = httpx.get(f"{app_host.base_url}/api/outbox/pending", timeout=10).json()
    return [p["messageId"] for p in pending["pending"]]


def test_a_message_committed_before_a_crash_is_delivered_once_by_the_sweeper(azurite, app_host):
    conn = azurite.connection_string
    partition, message_id, queue = random_id("order"), random_id("m"), random_name("q")

    crashed = crash_after_commit(conn, "CrashOrders", partition, message_id, queue)

    assert crashed.returncode == -9, crashed.stderr.decode()
    source = AzureTableService.from_connection_string(conn).table("CrashOrders")
    assert source.get(partition, "header").properties["Status"] == "New"
    assert "SentAt" not in source.get(partition, outbox_row_key(message_id)).properties
    assert message_id in pending_ids(app_host)

    runs = app_host.log().count("Executed 'Functions.sweep_outbox' (Succeeded")
    run_sweeper(app_host, runs)
    run_sweeper(app_host, runs + 1)  # a second sweep must find nothing left to send

    assert queued_ids(conn, queue) == [message_id]
    assert "SentAt" in source.get(partition, outbox_row_key(message_id)).properties
    assert message_id not in pending_ids(app_host)
