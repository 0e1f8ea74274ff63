"""Timer trigger listener: NCRONTAB schedule, run on startup, past-due detection, no overlap."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from azure.core.exceptions import AzureError
from azure.functions.timer import TimerRequest

from devhost.config import resolve_setting_references
from devhost.invoker import Invoker
from devhost.loader import FunctionDef
from devhost.ncrontab import Schedule
from devhost.storage import describe
from devhost.timer_monitor import ScheduleStatus, TimerStatusStore

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def local_now() -> datetime:
    """The current local time, tz-aware (Core Tools schedules on the machine's local time)."""
    return datetime.now().astimezone()


class TimerScheduler:
    """Fires one timer function on its schedule; one lock serializes scheduled and manual runs."""

    def __init__(
        self,
        fn: FunctionDef,
        invoker: Invoker,
        store: TimerStatusStore | None,
        clock: Clock = local_now,
    ) -> None:
        self.fn = fn
        expression = str(getattr(fn.trigger, "schedule", ""))
        self.schedule = Schedule(resolve_setting_references(expression))
        self._invoker = invoker
        self._clock = clock
        monitored = self.schedule.is_monitored(getattr(fn.trigger, "use_monitor", None), clock())
        self._store = store if monitored else None
        self._run_on_startup = bool(getattr(fn.trigger, "run_on_startup", False))
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._status = ScheduleStatus(None, None, None, self.schedule.expression)
        self._thread = threading.Thread(target=self._run, name=f"timer-{fn.name}", daemon=True)

    @property
    def monitored(self) -> bool:
        """Whether the schedule status is kept in storage."""
        return self._store is not None

    def start(self) -> None:
        """Start the schedule in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Fire no more occurrences."""
        self._stopping.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the schedule thread (and a run in progress)."""
        self._thread.join(timeout)

    def run_manually(self, _input: str) -> None:
        """One run now with past_due False, waiting for any run in progress (admin API)."""
        with self._lock:
            self._invoker.invoke(self.fn, self._request(past_due=False))

    def _run(self) -> None:
        try:
            self._startup()
            while not self._stopping.is_set():
                occurrence = self.schedule.next_after(self._clock())
                if self._sleep_until(occurrence):
                    self._fire(past_due=False, occurrence=occurrence)
        except Exception:
            logger.exception("Timer %s stopped unexpectedly", self.fn.name)

    def _startup(self) -> None:
        stored = self._load()
        now = self._clock()
        if stored is not None:
            self._status = ScheduleStatus(stored.last, stored.next, stored.last_updated)
        same_schedule = stored is not None and stored.schedule == self.schedule.expression
        if stored is not None and same_schedule and stored.next is not None and now > stored.next:
            # However many occurrences were missed, Functions fires once, marked past due.
            logger.info("Timer %s is past due (Next was %s)", self.fn.name, stored.next)
            self._fire(past_due=True, occurrence=now)
        elif self._run_on_startup:
            self._fire(past_due=False, occurrence=now)
        elif self.monitored and not same_schedule:
            self._record(self._status.last, now)

    def _sleep_until(self, occurrence: datetime) -> bool:
        """Wait for the occurrence; False when stopped first."""
        while not self._stopping.is_set():
            remaining = (occurrence - self._clock()).total_seconds()
            if remaining <= 0:
                return True
            # Re-check the wall clock at least every 30 s, in case it jumps (sleep, NTP).
            self._stopping.wait(min(remaining, 30.0))
        return False

    def _fire(self, past_due: bool, occurrence: datetime) -> None:
        with self._lock:
            self._status = ScheduleStatus(
                self._status.last, self._status.next or occurrence, self._status.last_updated
            )
            self._invoker.invoke(self.fn, self._request(past_due))
            self._record(occurrence, self._clock())

    def _request(self, past_due: bool) -> TimerRequest:
        return TimerRequest(
            past_due=past_due,
            schedule_status=self._status.as_trigger_status(),
            schedule={"AdjustForDST": True},
        )

    def _record(self, last: datetime | None, now: datetime) -> None:
        """Remember the last run and the next occurrence; store them when monitored."""
        self._status = ScheduleStatus(
            last, self.schedule.next_after(now), now, self.schedule.expression
        )
        if self._store is None:
            return
        try:
            self._store.put(self.fn.name, self._status)
        except AzureError as err:
            logger.warning(
                "Could not store the status of timer %s: %s", self.fn.name, describe(err)
            )

    def _load(self) -> ScheduleStatus | None:
        if self._store is None:
            return None
        try:
            return self._store.get(self.fn.name)
        except AzureError as err:
            logger.warning("Could not read the status of timer %s: %s", self.fn.name, describe(err))
        except ValueError as err:  # a hand-edited row; the timer simply starts afresh
            logger.warning("Ignoring the unreadable status of timer %s: %s", self.fn.name, err)
        return None
