"""Dual-write change notifications: F&O tells the hub, near real time, which record changed.

Each change to a CDS sales order header or line becomes `{"entity", "key", "version",
"modifiedAt"}`, POSTed to the changes URL by one background worker in the order the changes
happened, so a request that changes data never waits on the receiver. A failed delivery is
logged and recorded (status None, or the receiver's HTTP status), never raised.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

import httpx

from simulators.fno.entities import NOTIFYING
from simulators.fno.fields import Entity

# The header the hub's change receiver (POST /api/sync/changes/{system}) checks.
CHANGES_SECRET_HEADER = "X-Provider-Secret"
logger = logging.getLogger("simulators.fno.changes")


def notification(kind: str, row: Entity) -> dict[str, Any] | None:
    """The notification for a changed store row, or None when no dual-write entity shows it."""
    entity_set = NOTIFYING.get(kind)
    if entity_set is None or entity_set.dual_write is None:
        return None
    return {
        "entity": entity_set.dual_write,
        "key": entity_set.key_of(row),
        "version": row["@odata.etag"],
        "modifiedAt": row["ModifiedDateTime"],
    }


class ChangeNotifier:
    """Queues notifications and delivers them from a worker that runs while any are queued."""

    def __init__(self, url: str | None, secret: str | None = None) -> None:
        self.url, self.secret = url, secret
        self._queue: deque[dict[str, Any]] = deque()
        self._delivered: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._worker: threading.Thread | None = None

    def publish(self, kind: str, row: Entity) -> None:
        """Queue the notification for a changed row (called under the store's lock: no I/O)."""
        message = notification(kind, row)
        if message is None:
            return
        with self._lock:
            if self.url is None:
                self._delivered.append({**message, "deliveryStatus": None})
                return
            self._queue.append(message)
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._drain, name="fno-change-notifier", daemon=True
                )
                self._worker.start()

    def delivered(self) -> list[dict[str, Any]]:
        """Every notification handled so far, each with its `deliveryStatus`."""
        with self._lock:
            return list(self._delivered)

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every queued notification was handled; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._worker is None, timeout)

    def _drain(self) -> None:
        with httpx.Client(timeout=10) as http:
            while True:
                with self._lock:
                    if not self._queue:
                        self._worker = None
                        self._idle.notify_all()
                        return
                    message = self._queue.popleft()
                status = self._post(http, message)
                with self._lock:
                    self._delivered.append({**message, "deliveryStatus": status})

    def _post(self, http: httpx.Client, message: dict[str, Any]) -> int | None:
        assert self.url is not None  # the worker only runs with a URL
        headers = {} if self.secret is None else {CHANGES_SECRET_HEADER: self.secret}
        try:
            response = http.post(self.url, json=message, headers=headers)
        except httpx.HTTPError as err:
            logger.warning("change notification to %s failed: %s", self.url, err)
            return None
        if response.status_code >= 400:
            logger.warning("change notification to %s answered %s", self.url, response.status_code)
        return response.status_code
