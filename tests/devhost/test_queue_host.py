"""devhost's queue listener against Azurite: retries, poison queue, encoding, outputs, stop."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import (
    QueueClient,
    QueueMessage,
    TextBase64DecodePolicy,
    TextBase64EncodePolicy,
)

from tests.devhost.harness import DevHost, Effects, wait_until
from tests.support.azurite import Azurite
from tests.support.ids import random_name

pytestmark = pytest.mark.integration


@dataclass
class QueueApp:
    host: DevHost
    effects: Effects
    queues: dict[str, str]
    connection: str
    clients: list[QueueClient] = field(default_factory=list)

    def raw(self, name: str) -> QueueClient:
        """A client without encoding policies: it sees the wire text."""
        return self._keep(QueueClient.from_connection_string(self.connection, name))

    def base64(self, name: str) -> QueueClient:
        """A plain SDK client encoding like Functions producers must."""
        client = QueueClient.from_connection_string(
            self.connection,
            name,
            message_encode_policy=TextBase64EncodePolicy(),
            message_decode_policy=TextBase64DecodePolicy(),
        )
        return self._keep(client)

    def _keep(self, client: QueueClient) -> QueueClient:
        self.clients.append(client)
        return client

    def close(self) -> None:
        """Close every client (Azurite stops slowly while keep-alive connections stay open)."""
        for client in self.clients:
            client.close()
        self.effects.close()


def _queue_settings() -> dict[str, str]:
    return {
        "FAIL_QUEUE": random_name("fail"),
        "ECHO_QUEUE": random_name("echo"),
        "OUT_QUEUE": random_name("out"),
        "SLOW_QUEUE": random_name("slow"),
    }


def _start(azurite: Azurite, **extra: str) -> QueueApp:
    effects = Effects(azurite.connection_string, random_name("effects"))
    queues = _queue_settings()
    settings = {**queues, "EFFECTS_TABLE": effects.name, **extra}
    host = DevHost("queue_app", azurite.connection_string, **settings)
    return QueueApp(host, effects, queues, azurite.connection_string)


@pytest.fixture(scope="module")
def app(azurite: Azurite) -> Iterator[QueueApp]:
    queue_app = _start(azurite)
    with queue_app.host:
        yield queue_app
    queue_app.close()


def _peek(client: QueueClient) -> list[QueueMessage]:
    """Visible messages; none while the queue does not exist yet."""
    try:
        return list(client.peek_messages(max_messages=32))
    except ResourceNotFoundError:
        return []


def test_failing_message_is_tried_five_times_then_poisoned(app: QueueApp) -> None:
    name = app.queues["FAIL_QUEUE"]
    app.base64(name).send_message("doomed")

    attempts = app.effects.wait_for("fail", count=5)
    poison = wait_until(lambda: _peek(app.raw(f"{name}-poison")))

    assert sorted(row["dequeue_count"] for row in attempts) == [1, 2, 3, 4, 5]
    assert {row["body"] for row in attempts} == {"doomed"}
    assert [m.content for m in poison] == [base64.b64encode(b"doomed").decode()]
    assert app.raw(name).get_queue_properties().approximate_message_count == 0
    assert len(app.effects.of("fail")) == 5


def test_base64_message_from_plain_sdk_client_is_decoded(app: QueueApp) -> None:
    app.base64(app.queues["ECHO_QUEUE"]).send_message('{"job": 1}')

    (row,) = app.effects.wait_for("echo")

    assert row["body"] == '{"job": 1}'
    assert row["dequeue_count"] == 1


def test_queue_output_binding_receives_the_set_value(app: QueueApp) -> None:
    app.base64(app.queues["ECHO_QUEUE"]).send_message("shout")

    out = app.base64(app.queues["OUT_QUEUE"])

    assert wait_until(lambda: "SHOUT" in [m.content for m in _peek(out)])


def test_non_base64_body_fails_without_invoking_and_is_poisoned(app: QueueApp) -> None:
    name = app.queues["ECHO_QUEUE"]
    app.raw(name).send_message("not base64 !!")

    poison = wait_until(lambda: _peek(app.raw(f"{name}-poison")))

    assert [m.content for m in poison] == ["not base64 !!"]
    assert all(row["body"] != "not base64 !!" for row in app.effects.of("echo"))


def test_manual_run_of_a_queue_function(app: QueueApp) -> None:
    response = app.host.request("POST", "/admin/functions/echo", json={"input": "by hand"})

    assert response.status_code == 202
    rows = wait_until(lambda: [r for r in app.effects.of("echo") if r["body"] == "by hand"])
    assert rows[0]["dequeue_count"] == 1


def test_disabled_function_is_not_loaded(app: QueueApp) -> None:
    functions = app.host.get("/admin/host/status").json()["functions"]

    assert "switched_off" not in functions
    assert sorted(functions) == ["always_fails", "echo", "slow"]


def test_sigterm_finishes_the_in_flight_message(azurite: Azurite) -> None:
    queue_app = _start(azurite, SLOW_SECONDS="1.5")
    with queue_app.host as host, closing(queue_app):
        slow = queue_app.queues["SLOW_QUEUE"]
        queue_app.base64(slow).send_message("patience")
        queue_app.effects.wait_for("slow-start")

        exit_code = host.stop()

        assert exit_code == 0, host.logs()
        assert [r["body"] for r in queue_app.effects.of("slow-done")] == ["patience"]
        assert queue_app.raw(slow).get_queue_properties().approximate_message_count == 0
        assert "Executed 'Functions.slow' (Succeeded" in host.logs()
