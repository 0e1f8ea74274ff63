"""TimerScheduler in-process with an in-memory status store: startup rules, overlap, errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.functions as func

from devhost.invoker import Invoker
from devhost.loader import index_functions
from devhost.storage import QueueSender
from devhost.timer_monitor import ScheduleStatus
from devhost.timer_scheduler import TimerScheduler

YEARLY = "0 0 0 1 1 *"


class MemoryStatusStore:
    """Stands in for TimerStatusStore (our own port), keeping statuses in a dict."""

    def __init__(self, **statuses: ScheduleStatus) -> None:
        self.statuses = dict(statuses)
        self.puts = 0

    def get(self, function_name: str) -> ScheduleStatus | None:
        return self.statuses.get(function_name)

    def put(self, function_name: str, status: ScheduleStatus) -> None:
        self.puts += 1
        self.statuses[function_name] = status


def _timer(schedule: str, body: Callable[[func.TimerRequest], None], **options: Any) -> Any:
    app = func.FunctionApp()
    app.timer_trigger(schedule=schedule, arg_name="timer", **options)(body)
    (function,) = index_functions(app.get_functions(), "/app")
    return function


@contextmanager
def running(
    schedule: str, body: Callable[[func.TimerRequest], None], store: Any, **options: Any
) -> Iterator[TimerScheduler]:
    scheduler = TimerScheduler(
        _timer(schedule, body, **options), Invoker(QueueSender("none")), store
    )
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.stop()
        scheduler.join(10)


def _past(hours: float = 1) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def test_past_due_takes_precedence_over_run_on_startup() -> None:
    runs: list[func.TimerRequest] = []
    store = MemoryStatusStore(timer_fn=ScheduleStatus(_past(9000), _past(), _past(), YEARLY))

    def timer_fn(timer: func.TimerRequest) -> None:
        runs.append(timer)

    with running(YEARLY, timer_fn, store, run_on_startup=True):
        time.sleep(0.3)

    assert [r.past_due for r in runs] == [True]
    assert runs[0].schedule == {"AdjustForDST": True}
    assert set(runs[0].schedule_status) == {"Last", "Next", "LastUpdated"}
    stored = store.statuses["timer_fn"]
    assert stored.next is not None
    assert stored.next > datetime.now(UTC)
    assert stored.schedule == YEARLY


def test_changed_schedule_is_not_past_due() -> None:
    runs: list[func.TimerRequest] = []
    store = MemoryStatusStore(timer_fn=ScheduleStatus(None, _past(), _past(), "0 0 * * * *"))

    def timer_fn(timer: func.TimerRequest) -> None:
        runs.append(timer)

    with running(YEARLY, timer_fn, store):
        time.sleep(0.3)

    assert runs == []
    assert store.statuses["timer_fn"].schedule == YEARLY  # recomputed for the new schedule


def test_unmonitored_timer_never_touches_the_store() -> None:
    store = MemoryStatusStore(timer_fn=ScheduleStatus(None, _past(), _past(), YEARLY))
    runs: list[bool] = []

    def timer_fn(timer: func.TimerRequest) -> None:
        runs.append(timer.past_due)

    with running(YEARLY, timer_fn, store, use_monitor=False, run_on_startup=True):
        time.sleep(0.3)

    assert runs == [False]
    assert store.puts == 0


def test_schedule_continues_after_a_failure() -> None:
    calls: list[float] = []

    def timer_fn(timer: func.TimerRequest) -> None:
        calls.append(time.monotonic())
        raise RuntimeError("flaky")

    with running("* * * * * *", timer_fn, None):
        time.sleep(2.3)

    assert len(calls) >= 2


def test_scheduled_and_manual_runs_never_overlap() -> None:
    active, peak = [0], [0]
    lock = threading.Lock()

    def timer_fn(timer: func.TimerRequest) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.4)
        with lock:
            active[0] -= 1

    with running("* * * * * *", timer_fn, None, run_on_startup=True) as scheduler:
        manual = [threading.Thread(target=scheduler.run_manually, args=("",)) for _ in range(3)]
        for thread in manual:
            thread.start()
        for thread in manual:
            thread.join()

    assert peak[0] == 1
