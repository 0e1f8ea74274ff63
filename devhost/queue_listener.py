"""Queue trigger listener: polling, batches, leases, retries and poison queues as in Functions."""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from azure.core.exceptions import AzureError
from azure.functions.queue import QueueMessage as FunctionQueueMessage
from azure.storage.queue import QueueMessage

from devhost.config import MIN_POLLING_INTERVAL, QueueOptions, resolve_setting_references
from devhost.invoker import Invoker
from devhost.leases import LEASE_SECONDS, Lease, LeaseRenewer
from devhost.loader import FunctionDef
from devhost.storage import (
    MessageDecodeError,
    decode_body,
    describe,
    ensure_queue,
    queue_client,
    validate_queue_name,
)

logger = logging.getLogger(__name__)

POISON_SUFFIX = "-poison"
MAX_QUEUE_NAME = 63
MAX_MESSAGES_PER_RECEIVE = 32


def poison_queue_name(queue_name: str) -> str | None:
    """`<queue>-poison`, or None where Functions keeps no poison queue."""
    name = queue_name + POISON_SUFFIX
    if queue_name.endswith(POISON_SUFFIX) or len(name) > MAX_QUEUE_NAME:
        return None
    return name


class Backoff:
    """Randomized exponential idle delay from 100 ms up to the max polling interval."""

    def __init__(self, maximum: float) -> None:
        self._maximum = max(MIN_POLLING_INTERVAL, maximum)
        self._misses = 0

    def reset(self) -> None:
        """A message was found: poll again at once next time."""
        self._misses = 0

    def next_delay(self) -> float:
        """The delay after one more empty poll."""
        ceiling = min(self._maximum, MIN_POLLING_INTERVAL * 2**self._misses)
        self._misses = min(self._misses + 1, 30)
        return min(self._maximum, random.uniform(ceiling * 0.8, ceiling * 1.2))


# azure.functions' QueueMessage constructor is untyped; this alias gives it a return type.
_new_function_message: Callable[..., FunctionQueueMessage] = FunctionQueueMessage


def function_message(message: QueueMessage, body: bytes) -> FunctionQueueMessage:
    """The azure.functions QueueMessage (with metadata) for a received SDK message."""
    return _new_function_message(
        id=message.id,
        body=body,
        dequeue_count=message.dequeue_count,
        pop_receipt=message.pop_receipt,
        insertion_time=message.inserted_on,
        expiration_time=message.expires_on,
        time_next_visible=message.next_visible_on,
    )


def manual_message(text: str) -> FunctionQueueMessage:
    """The message a manual admin run delivers: the input as body, a fresh id, first dequeue."""
    now = datetime.now(UTC)
    return _new_function_message(
        id=str(uuid.uuid4()),
        body=text.encode("utf-8"),
        dequeue_count=1,
        pop_receipt=None,
        insertion_time=now,
        expiration_time=now + timedelta(days=7),
        time_next_visible=now,
    )


class QueueListener:
    """Polls one queue for one function and processes messages in parallel."""

    def __init__(
        self,
        fn: FunctionDef,
        connection: str,
        options: QueueOptions,
        invoker: Invoker,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.fn = fn
        name = resolve_setting_references(str(getattr(fn.trigger, "queue_name", "")))
        self.queue_name = validate_queue_name(name)
        self._options = options
        self._invoker = invoker
        self._client = queue_client(connection, self.queue_name)
        poison = poison_queue_name(self.queue_name)
        self._poison = queue_client(connection, poison) if poison else None
        self._renewer = LeaseRenewer(self._client, lease_seconds)
        self._threshold = options.new_batch_threshold
        self._pool = ThreadPoolExecutor(
            options.batch_size + self._threshold, thread_name_prefix=f"queue-{fn.name}"
        )
        self._in_flight = 0
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._ready = False
        self._reachable = True
        self._thread = threading.Thread(target=self._poll, name=f"poll-{fn.name}", daemon=True)

    def start(self) -> None:
        """Create the queue if storage answers (the poller retries if not), then poll."""
        self._ready = self._ensure_queue()
        self._renewer.start()
        self._thread.start()

    def stop(self) -> None:
        """Stop fetching messages; in-flight ones go on (see join)."""
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()

    def join(self) -> None:
        """Wait for the poller and every in-flight message, then stop renewing leases."""
        self._thread.join()
        self._pool.shutdown(wait=True)
        self._renewer.stop()

    def run_manually(self, text: str) -> None:
        """Invoke the function once with text as the message body (admin API)."""
        self._invoker.invoke(self.fn, manual_message(text))

    def _poll(self) -> None:
        backoff = Backoff(self._options.max_polling_interval)
        while not self._ready and not self._stopping.is_set():
            self._stopping.wait(backoff.next_delay())
            self._ready = self._ensure_queue()
        backoff.reset()
        while not self._stopping.is_set():
            self._wait_for_capacity()
            if self._stopping.is_set():
                return
            received = self._receive()
            if received:
                backoff.reset()
            else:
                self._stopping.wait(backoff.next_delay())

    def _ensure_queue(self) -> bool:
        try:
            ensure_queue(self._client, retry=False)
        except AzureError as err:
            self._report_unreachable(err)
            return False
        self._report_reachable()
        return True

    def _report_unreachable(self, err: AzureError) -> None:
        """Warn once per outage; polling retries every backoff interval and would flood the log."""
        level = logging.WARNING if self._reachable else logging.DEBUG
        logger.log(level, "Queue %s is unreachable: %s", self.queue_name, describe(err))
        self._reachable = False

    def _report_reachable(self) -> None:
        if not self._reachable:
            logger.info("Queue %s is reachable again", self.queue_name)
        self._reachable = True

    def _wait_for_capacity(self) -> None:
        """Block while more than newBatchThreshold messages are still in flight."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._in_flight <= self._threshold or self._stopping.is_set()
            )

    def _receive(self) -> int:
        count = min(self._options.batch_size, MAX_MESSAGES_PER_RECEIVE)
        try:
            pages = self._client.receive_messages(
                messages_per_page=count,
                visibility_timeout=int(self._renewer.lease_seconds),
                max_messages=count,
                retry_total=0,  # the idle backoff is the retry; SDK retries would delay stopping
            )
            messages = list(pages)
        except AzureError as err:
            self._report_unreachable(err)
            return 0
        self._report_reachable()
        for message in messages:
            lease = self._renewer.track(message)
            with self._changed:
                self._in_flight += 1
            self._pool.submit(self._process, lease)
        return len(messages)

    def _process(self, lease: Lease) -> None:
        try:
            self._handle(lease)
        except AzureError as err:
            logger.warning("Settling message %s failed: %s", lease.message_id, describe(err))
        except Exception:
            logger.exception("Unexpected error processing message %s", lease.message_id)
        finally:
            self._renewer.forget(lease)
            with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()

    def _handle(self, lease: Lease) -> None:
        message = lease.message
        if self._stopping.is_set():
            self._settle(lease, release_after=0)  # not started: hand it back at once
            return
        if message.dequeue_count is not None and message.dequeue_count > self._max_dequeue:
            self._to_poison(lease)
            return
        try:
            body = decode_body(message.content, self._options.message_encoding)
        except MessageDecodeError as err:
            logger.warning("Message %s on %s: %s", lease.message_id, self.queue_name, err)
            self._fail(lease)
            return
        outcome = self._invoker.invoke(self.fn, function_message(message, body))
        if outcome.succeeded:
            self._settle(lease, release_after=None)
        else:
            self._fail(lease)

    @property
    def _max_dequeue(self) -> int:
        return self._options.max_dequeue_count

    def _fail(self, lease: Lease) -> None:
        count = lease.message.dequeue_count or 0
        if count >= self._max_dequeue:
            self._to_poison(lease)
        else:
            self._settle(lease, release_after=self._options.visibility_timeout)

    def _settle(self, lease: Lease, release_after: float | None) -> None:
        """Delete (release_after None) or make visible again after release_after seconds."""
        self._renewer.forget(lease)
        if release_after is None:
            lease.delete(self._client)
        else:
            lease.release(self._client, release_after)

    def _to_poison(self, lease: Lease) -> None:
        if self._poison is None:
            # Functions has nowhere to move it, so the message stays invisible until its lease ends.
            logger.warning(
                "Message %s on %s exceeded its dequeue count", lease.message_id, self.queue_name
            )
            return
        ensure_queue(self._poison)
        # The raw wire text is copied, so the poison message has exactly the original body.
        self._poison.send_message(lease.message.content)
        self._settle(lease, release_after=None)
        logger.warning(
            "Message %s moved to %s after %s dequeues",
            lease.message_id,
            poison_queue_name(self.queue_name),
            lease.message.dequeue_count,
        )
