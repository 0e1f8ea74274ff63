"""Storage queue clients and message encoding shared by the queue listener and output bindings."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import threading
from collections.abc import Sequence

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient

from devhost.config import ConfigError, MessageEncoding

_WHITESPACE = re.compile(r"\s+")
# Storage queue names: 3-63 lowercase letters, digits and single dashes, not at either end.
_QUEUE_NAME = re.compile(r"^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$")


class MessageDecodeError(ValueError):
    """A queue message body is not valid for the configured message encoding."""


def describe(error: AzureError) -> str:
    """A one-line summary of a storage error (the SDK's message spans many lines)."""
    code = getattr(error, "error_code", None)
    first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"{code}: {first_line}" if code else first_line


def encode_body(body: bytes, encoding: MessageEncoding) -> str:
    """The wire text of a message body (base64 as TextBase64EncodePolicy, or UTF-8 text)."""
    if encoding == "base64":
        return base64.b64encode(body).decode("ascii")
    return body.decode("utf-8")


def decode_body(content: str, encoding: MessageEncoding) -> bytes:
    """The body bytes of a message's wire text, as TextBase64DecodePolicy reads it."""
    if encoding == "none":
        return content.encode("utf-8")
    try:
        # .NET's Convert.FromBase64String ignores whitespace; anything else invalid fails.
        return base64.b64decode(_WHITESPACE.sub("", content), validate=True)
    except (binascii.Error, ValueError) as err:
        raise MessageDecodeError(f"Message is not valid base64: {err}") from err


def validate_queue_name(name: str) -> str:
    """The name, if Azure Storage accepts it as a queue name (else ConfigError, as at indexing)."""
    if not _QUEUE_NAME.match(name):
        raise ConfigError(
            f"Invalid queue name {name!r}: use 3-63 lowercase letters, digits and single dashes"
        )
    return name


def queue_client(connection: str, name: str) -> QueueClient:
    """A client that reads and writes raw message text (devhost encodes and decodes itself)."""
    # Decoding per message, not by a client policy, keeps one bad message from failing a batch.
    return QueueClient.from_connection_string(connection, name)


def ensure_queue(client: QueueClient, *, retry: bool = True) -> None:
    """Create the queue unless it exists; retry=False fails fast when the caller retries itself."""
    with contextlib.suppress(ResourceExistsError):
        if retry:
            client.create_queue()
        else:
            client.create_queue(retry_total=0)


class QueueSender:
    """Sends output-binding messages, creating the queue on first use like the Functions binding."""

    def __init__(self, encoding: MessageEncoding) -> None:
        self._encoding = encoding
        self._clients: dict[tuple[str, str], QueueClient] = {}
        self._lock = threading.Lock()

    def _client(self, connection: str, name: str) -> QueueClient:
        with self._lock:
            key = (connection, name)
            if key not in self._clients:
                self._clients[key] = queue_client(connection, name)
            return self._clients[key]

    def send(self, connection: str, name: str, bodies: Sequence[bytes]) -> None:
        """Send each body as one message."""
        client = self._client(connection, name)
        for body in bodies:
            text = encode_body(body, self._encoding)
            try:
                client.send_message(text)
            except ResourceNotFoundError:
                ensure_queue(client)
                client.send_message(text)
