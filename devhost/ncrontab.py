"""Timer schedules: NCRONTAB expressions (6 fields, seconds first; 5 accepted) and TimeSpans."""

from __future__ import annotations

from datetime import datetime, timedelta

from croniter import croniter
from croniter.croniter import CroniterError

from devhost.config import ConfigError, parse_timespan

MONITOR_MIN_INTERVAL = timedelta(minutes=1)


class ScheduleError(ConfigError):
    """A timer schedule that is neither NCRONTAB nor a TimeSpan."""


class Schedule:
    """When a timer fires; NCRONTAB day-of-month and day-of-week combine with AND."""

    def __init__(self, expression: str) -> None:
        self.expression = expression.strip()
        fields = self.expression.split()
        self._interval: timedelta | None = None
        if len(fields) == 1 and ":" in self.expression:
            self._interval = timedelta(seconds=parse_timespan(self.expression))
            if self._interval <= timedelta(0):
                raise ScheduleError(f"Timer interval {expression!r} must be positive")
            return
        if len(fields) not in (5, 6):
            raise ScheduleError(f"Invalid NCRONTAB {expression!r}: expected 6 (or 5) fields")
        # Functions parses 5 fields without seconds; make them explicit for croniter.
        self._cron = " ".join(["0", *fields] if len(fields) == 5 else fields)
        try:
            self.next_after(datetime(2000, 1, 1))
        except (CroniterError, ValueError) as err:
            raise ScheduleError(f"Invalid NCRONTAB {expression!r}: {err}") from err

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after moment (same tz as moment)."""
        if self._interval is not None:
            return moment + self._interval
        schedule = croniter(self._cron, moment, second_at_beginning=True, day_or=False)
        result: datetime = schedule.get_next(datetime)
        return result

    def occurrences(self, moment: datetime, count: int) -> list[datetime]:
        """The next count occurrences after moment."""
        found = []
        for _ in range(count):
            moment = self.next_after(moment)
            found.append(moment)
        return found

    def is_monitored(self, use_monitor: bool | None, now: datetime) -> bool:
        """useMonitor: explicit, else true when the schedule's interval is at least a minute."""
        if use_monitor is not None:
            return use_monitor
        first, second = self.occurrences(now, 2)
        return second - first >= MONITOR_MIN_INTERVAL
