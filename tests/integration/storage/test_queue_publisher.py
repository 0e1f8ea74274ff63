import json

import pytest
from azure.storage.queue import QueueClient, TextBase64DecodePolicy

from adapters.storage.entities import StorageLimitExceeded
from adapters.storage.queues import StorageQueuePublisher
from tests.support.azurite import connection_string, free_port
from tests.support.ids import random_name

pytestmark = pytest.mark.integration


@pytest.fixture
def publisher(storage_connection):
    publisher = StorageQueuePublisher.from_connection_string(storage_connection)
    yield publisher
    publisher.close()


def receive_all(storage_connection, queue, decode=True):
    policy = TextBase64DecodePolicy() if decode else None
    client = QueueClient.from_connection_string(
        storage_connection, queue, message_decode_policy=policy
    )
    return [m.content for m in client.receive_messages(max_messages=32)]


def test_a_published_message_reaches_a_queue_it_creates_base64_encoded(
    publisher, storage_connection
):
    queue = random_name("q")
    body = json.dumps({"id": "o-1", "note": "ünïcode ✓ and <xml> & +/="})
    assert not publisher.probe(queue)

    publisher.publish(queue, body)
    publisher.publish(queue, "second")

    assert publisher.probe(queue)
    assert receive_all(storage_connection, queue) == [body, "second"]


def test_the_wire_format_is_base64_of_utf8(publisher, storage_connection):
    queue = random_name("q")
    publisher.publish(queue, "héllo")
    assert receive_all(storage_connection, queue, decode=False) == ["aMOpbGxv"]


def test_create_queues_is_idempotent_and_probes_answer(publisher):
    names = [random_name("q"), random_name("q")]
    publisher.create_queues(names)
    publisher.create_queues(names)
    assert all(publisher.probe(name) for name in names)


def test_a_message_over_64_kib_is_refused_before_sending(publisher, storage_connection):
    queue = random_name("q")
    with pytest.raises(StorageLimitExceeded):
        publisher.publish(queue, "x" * 50_000)
    assert not publisher.probe(queue)


@pytest.mark.parametrize("name", ["ab", "Upper", "double--dash", "-lead", "trail-"])
def test_invalid_queue_names_are_refused(publisher, name):
    with pytest.raises(ValueError, match="queue name"):
        publisher.publish(name, "x")


def test_probe_of_an_unreachable_account_is_false():
    dead = StorageQueuePublisher.from_connection_string(connection_string(*[free_port()] * 3))
    assert not dead.probe("anything", timeout=1)


def test_a_delayed_message_stays_invisible_until_its_delay_passes(publisher, storage_connection):
    queue = random_name("q")
    publisher.publish(queue, "now")
    publisher.publish(queue, "later", delay_seconds=60)

    assert receive_all(storage_connection, queue) == ["now"]
