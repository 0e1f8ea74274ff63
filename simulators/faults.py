"""Injected faults for simulators: the next N matching requests answer with a status."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any


class FaultPlan:
    """`POST /_admin/faults` {"status", "count", "retryAfter", "match"}: what to fail next.

    Only requests whose path and query contain `match` are faulted, so a background poller
    cannot use up a test's faults.
    """

    def __init__(self) -> None:
        self._faults: list[tuple[int, float | None]] = []
        self._match = ""
        self._lock = threading.Lock()

    def set(self, plan: Mapping[str, Any]) -> int:
        """Replace the plan; the number of faults queued."""
        retry_after = plan.get("retryAfter")
        fault = (int(plan["status"]), None if retry_after is None else float(retry_after))
        with self._lock:
            self._faults = [fault] * int(plan.get("count", 1))
            self._match = str(plan.get("match", ""))
            return len(self._faults)

    def next(self, target: str) -> tuple[int, float | None] | None:
        """(status, Retry-After seconds) for this request (path?query), or None."""
        with self._lock:
            if not self._faults or self._match not in target:
                return None
            return self._faults.pop(0)
