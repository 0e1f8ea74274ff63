"""The MessagePublisher port on Storage Queues, base64-encoded as Functions triggers expect."""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterable
from contextlib import suppress

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient, QueueServiceClient, TextBase64EncodePolicy

from adapters.storage.azure_errors import error_code, service_error
from adapters.storage.entities import StorageLimitExceeded

MAX_MESSAGE_BYTES = 64 * 1024
_QUEUE_NAME = re.compile(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")


def check_queue_name(name: str) -> str:
    """Return the name, or raise ValueError if Storage Queues would refuse it."""
    if not _QUEUE_NAME.fullmatch(name):
        raise ValueError(f"invalid queue name {name!r}: want 3-63 of a-z, 0-9 and single '-'")
    return name


class StorageQueuePublisher:
    """Sends message bodies to Storage Queues; caches one client per queue."""

    def __init__(self, client: QueueServiceClient) -> None:
        self._client = client
        self._queues: dict[str, QueueClient] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_connection_string(cls, connection_string: str) -> StorageQueuePublisher:
        """Connect with an account connection string (Azurite or Azure)."""
        return cls(QueueServiceClient.from_connection_string(connection_string))

    def publish(self, queue: str, body: str, delay_seconds: int = 0) -> None:
        """Send one message (hidden for `delay_seconds`), creating the queue on first use."""
        if len(base64.b64encode(body.encode())) > MAX_MESSAGE_BYTES:
            raise StorageLimitExceeded(f"message for {queue} is over 64 KiB once base64-encoded")
        client = self._queue(queue)
        try:
            _send(client, body, delay_seconds)
        except AzureError as err:
            raise service_error(f"publish to {queue}", err) from err

    def create_queues(self, names: Iterable[str]) -> None:
        """Create each queue that does not exist yet."""
        for name in names:
            client = self._queue(name)
            try:
                _create(client)
            except AzureError as err:
                raise service_error(f"create queue {name}", err) from err

    def probe(self, queue: str, timeout: float = 2.0) -> bool:
        """Whether the queue exists and answers within `timeout` seconds, without retries."""
        client = self._queue(queue)
        try:
            client.get_queue_properties(
                connection_timeout=timeout, read_timeout=timeout, retry_total=0
            )
        except AzureError:
            return False
        return True

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def _queue(self, name: str) -> QueueClient:
        key = check_queue_name(name)
        with self._lock:
            if key not in self._queues:
                self._queues[key] = self._client.get_queue_client(
                    key, message_encode_policy=TextBase64EncodePolicy()
                )
            return self._queues[key]


def _send(client: QueueClient, body: str, delay_seconds: int) -> None:
    delay = delay_seconds or None  # the service wants no visibility timeout rather than 0
    try:
        client.send_message(body, visibility_timeout=delay)
    except ResourceNotFoundError as err:
        if error_code(err) != "QueueNotFound":
            raise
        _create(client)
        client.send_message(body, visibility_timeout=delay)


def _create(client: QueueClient) -> None:
    # An existing queue (made meanwhile, or with other metadata) is as good as a new one.
    with suppress(ResourceExistsError):
        client.create_queue()
