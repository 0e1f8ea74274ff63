"""Peek-lock leases on received queue messages, renewed while their function runs."""

from __future__ import annotations

import logging
import threading
import time

from azure.core.exceptions import AzureError
from azure.storage.queue import QueueClient, QueueMessage

from devhost.storage import describe

logger = logging.getLogger(__name__)

# Functions receives with a 10-minute visibility, renews at half of it, then every minute.
LEASE_SECONDS = 600.0
RENEW_EVERY_SECONDS = 60.0


class Lease:
    """A received message and its current pop receipt; the lock orders renew/delete/update."""

    def __init__(self, message: QueueMessage, first_renewal: float) -> None:
        self.message = message
        self.pop_receipt: str | None = message.pop_receipt
        self.lock = threading.Lock()
        self.renew_at = time.monotonic() + first_renewal

    @property
    def message_id(self) -> str:
        """The message id."""
        return str(self.message.id)

    def delete(self, client: QueueClient) -> None:
        """Delete the message (after success, or once it is copied to poison)."""
        with self.lock:
            client.delete_message(self.message_id, self.pop_receipt)

    def release(self, client: QueueClient, visibility_timeout: float) -> None:
        """Make the message visible again after visibility_timeout seconds."""
        with self.lock:
            client.update_message(
                self.message_id, self.pop_receipt, visibility_timeout=int(visibility_timeout)
            )


class LeaseRenewer:
    """One thread per listener that extends the visibility of messages still being processed."""

    def __init__(self, client: QueueClient, lease_seconds: float = LEASE_SECONDS) -> None:
        self._client = client
        self._lease_seconds = lease_seconds
        self._interval = min(RENEW_EVERY_SECONDS, lease_seconds / 2)
        self._leases: dict[str, Lease] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-renewer", daemon=True)

    @property
    def lease_seconds(self) -> float:
        """The visibility timeout used on receive and on each renewal."""
        return self._lease_seconds

    def start(self) -> None:
        """Start renewing."""
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing (call once no message is in flight)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def track(self, message: QueueMessage) -> Lease:
        """Start tracking a received message; first renewal at half the lease."""
        lease = Lease(message, self._lease_seconds / 2)
        with self._lock:
            self._leases[lease.message_id] = lease
        return lease

    def forget(self, lease: Lease) -> None:
        """Stop renewing a message that is finished with."""
        with self._lock:
            self._leases.pop(lease.message_id, None)

    def _run(self) -> None:
        tick = min(1.0, self._interval / 2)
        while not self._stop.wait(tick):
            with self._lock:
                due = [
                    lease for lease in self._leases.values() if lease.renew_at <= time.monotonic()
                ]
            for lease in due:
                self._renew(lease)

    def _renew(self, lease: Lease) -> None:
        with lease.lock:
            with self._lock:
                if lease.message_id not in self._leases:
                    return  # finished while we waited for its lock
            try:
                updated = self._client.update_message(
                    lease.message_id, lease.pop_receipt, visibility_timeout=int(self._lease_seconds)
                )
            except AzureError as err:
                logger.warning("Could not renew message %s: %s", lease.message_id, describe(err))
                return
            lease.pop_receipt = updated.pop_receipt
            lease.renew_at = time.monotonic() + self._interval
