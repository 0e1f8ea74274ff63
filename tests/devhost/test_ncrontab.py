"""NCRONTAB schedules (pure): seconds first, AND of day fields, 5-field and TimeSpan forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devhost.ncrontab import Schedule, ScheduleError

BASE = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)


def test_six_fields_put_seconds_first() -> None:
    assert Schedule("30 */5 * * * *").occurrences(BASE, 3) == [
        BASE + timedelta(seconds=30),
        BASE + timedelta(minutes=5, seconds=30),
        BASE + timedelta(minutes=10, seconds=30),
    ]


def test_day_of_month_and_day_of_week_combine_with_and() -> None:
    fridays_13th = Schedule("0 0 0 13 * 5").occurrences(BASE, 3)

    assert [d.date().isoformat() for d in fridays_13th] == [
        "2026-02-13",
        "2026-03-13",
        "2026-11-13",
    ]
    assert all(d.weekday() == 4 and d.day == 13 for d in fridays_13th)


def test_five_fields_mean_seconds_zero() -> None:
    assert Schedule("*/15 * * * *").next_after(BASE) == BASE + timedelta(minutes=15)


def test_next_is_strictly_after_the_moment() -> None:
    assert Schedule("0 0 * * * *").next_after(BASE) == BASE + timedelta(hours=1)


def test_named_days_and_ranges() -> None:
    weekday_nine = Schedule("0 0 9 * * MON-FRI").occurrences(BASE, 2)

    assert [d.isoformat() for d in weekday_nine] == [
        "2026-01-01T09:00:00+00:00",
        "2026-01-02T09:00:00+00:00",
    ]


def test_timespan_schedule_is_a_fixed_interval() -> None:
    assert Schedule("00:30:00").next_after(BASE) == BASE + timedelta(minutes=30)


@pytest.mark.parametrize(
    "expression", ["", "* * * *", "0 0 0 1 1 * 2030", "99 * * * * *", "x y z a b c"]
)
def test_invalid_expressions(expression: str) -> None:
    with pytest.raises(ScheduleError):
        Schedule(expression)


@pytest.mark.parametrize(
    ("expression", "use_monitor", "monitored"),
    [
        ("0 */5 * * * *", None, True),
        ("0 * * * * *", None, True),
        ("*/10 * * * * *", None, False),
        ("*/10 * * * * *", True, True),
        ("0 0 * * * *", False, False),
    ],
)
def test_monitoring_follows_use_monitor_or_the_interval(
    expression: str, use_monitor: bool | None, monitored: bool
) -> None:
    assert Schedule(expression).is_monitored(use_monitor, BASE) is monitored
