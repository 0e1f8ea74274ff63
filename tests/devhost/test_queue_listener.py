"""QueueListener in-process against Azurite: lease renewal and over-dequeued messages."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import azure.functions as func
import pytest
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

from devhost.config import QueueOptions
from devhost.invoker import Invoker
from devhost.loader import index_functions
from devhost.queue_listener import QueueListener
from devhost.storage import QueueSender
from tests.devhost.harness import wait_until
from tests.support.azurite import Azurite
from tests.support.ids import random_name

pytestmark = pytest.mark.integration

OPTIONS = QueueOptions(batch_size=2, new_batch_threshold=1, max_polling_interval=0.2)


@contextmanager
def listening(
    connection: str,
    queue: str,
    body: Callable[[func.QueueMessage], None],
    options: QueueOptions = OPTIONS,
    lease_seconds: float = 600,
) -> Iterator[QueueListener]:
    app = func.FunctionApp()
    app.queue_trigger(arg_name="msg", queue_name=queue, connection="AzureWebJobsStorage")(body)
    (function,) = index_functions(app.get_functions(), "/app")
    invoker = Invoker(QueueSender(options.message_encoding))
    listener = QueueListener(function, connection, options, invoker, lease_seconds=lease_seconds)
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()
        listener.join()


@pytest.fixture
def queue(storage_connection: str) -> Iterator[QueueClient]:
    client = QueueClient.from_connection_string(
        storage_connection, random_name("q"), message_encode_policy=TextBase64EncodePolicy()
    )
    client.create_queue()
    yield client
    client.close()


def test_lease_is_renewed_while_the_function_runs(azurite: Azurite, queue: QueueClient) -> None:
    seen: list[int] = []
    done = threading.Event()

    def long_running(msg: func.QueueMessage) -> None:
        seen.append(msg.dequeue_count)
        time.sleep(3)  # longer than the 2 s lease: only renewal keeps the message hidden
        done.set()

    queue.send_message("long")
    with listening(azurite.connection_string, queue.queue_name, long_running, lease_seconds=2):
        assert done.wait(10)
        wait_until(lambda: queue.get_queue_properties().approximate_message_count == 0)

    assert seen == [1]


def test_message_dequeued_too_often_is_poisoned_without_invoking(
    azurite: Azurite, queue: QueueClient
) -> None:
    invoked: list[str] = []
    queue.send_message("stale")
    for _ in range(2):  # two earlier deliveries that never finished
        (message,) = queue.receive_messages(visibility_timeout=1, max_messages=1)
        queue.update_message(message.id, message.pop_receipt, visibility_timeout=0)
    options = replace(OPTIONS, max_dequeue_count=2)
    poison = QueueClient.from_connection_string(
        azurite.connection_string, f"{queue.queue_name}-poison"
    )

    def handler(msg: func.QueueMessage) -> None:
        invoked.append(msg.get_body().decode())

    with listening(azurite.connection_string, queue.queue_name, handler, options), poison:
        poisoned = wait_until(lambda: _peek(poison))

    assert invoked == []
    assert [m.content for m in poisoned] == [TextBase64EncodePolicy().encode("stale")]


def _peek(client: QueueClient) -> list[object]:
    try:
        return list(client.peek_messages())
    except Exception:
        return []
