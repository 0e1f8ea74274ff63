"""Behaviour of TableJobLog and TablePreferenceStore, on memory tables and on Azurite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from adapters.storage.jobs import MAX_DETAILS_CHARS, TableJobLog, TablePreferenceStore
from adapters.storage.table import InvalidContinuation
from domain.orders.preferences import FulfillmentProcessMode, OrderHandlingPreferences
from services.jobs import JobRun, JobStatus
from tests.contracts.order_repository_contract import forged_tokens

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
JOB = "backorder-release"


def job_run(n: int, job: str = JOB, **changes: object) -> JobRun:
    fields: dict[str, object] = {
        "job": job, "run_id": f"run-{n}", "started_at": T0 + timedelta(minutes=5 * n),
        "trigger": "timer", **changes,
    }  # fmt: skip
    return JobRun(**fields)


class JobLogContract:
    """Subclasses provide `make_table`: a factory of created, uniquely named tables."""

    @pytest.fixture
    def log(self, make_table) -> TableJobLog:
        return TableJobLog(make_table())

    @pytest.fixture
    def preferences(self, make_table) -> TablePreferenceStore:
        return TablePreferenceStore(make_table())

    def listed(self, log, job=JOB, limit=2) -> list[list[str]]:
        pages, token = [], None
        while True:
            page = log.runs(job, token, limit)
            pages.append([run.run_id for run in page.runs])
            if (token := page.continuation) is None:
                return pages

    # --- job log ----------------------------------------------------------------------------

    def test_runs_list_newest_first_a_page_at_a_time(self, log):
        for n in [3, 1, 5, 2, 4]:
            log.save(job_run(n))
        log.save(job_run(9, job="other-job"))

        assert self.listed(log) == [["run-5", "run-4"], ["run-3", "run-2"], ["run-1"]]
        assert self.listed(log, "other-job", limit=10) == [["run-9"]]
        assert self.listed(log, "never-ran") == [[]]

    def test_a_run_round_trips_and_saving_it_again_replaces_it(self, log):
        started = job_run(1)
        log.save(started)
        assert log.runs(JOB, None, 10).runs == [started]

        finished = job_run(
            1, status=JobStatus.SUCCEEDED, ended_at=T0 + timedelta(minutes=6), examined=12,
            released=3, cancelled=1, details=["released o-1/l-1", "cancelled o-2/l-1 (SLA)"],
        )  # fmt: skip
        log.save(finished)
        assert log.runs(JOB, None, 10).runs == [finished]

    def test_a_run_s_counts_round_trip(self, log):
        run = job_run(1, job="sales-totals", counts={"calculated": 3, "current": 0})
        log.save(run)

        assert log.runs("sales-totals", None, 10).runs == [run]
        log.save(job_run(2))
        assert log.runs(JOB, None, 10).runs[0].counts == {}

    def test_runs_started_at_the_same_time_are_told_apart_by_run_id(self, log):
        log.save(job_run(1, run_id="run-a"))
        log.save(job_run(1, run_id="run-b", trigger="api"))

        assert [r.run_id for r in log.runs(JOB, None, 10).runs] == ["run-a", "run-b"]

    def test_huge_details_are_cut_to_fit(self, log):
        details = [f"line {n}: " + "x" * 10_000 for n in range(200)]
        log.save(job_run(1, status=JobStatus.FAILED, details=details))

        [stored] = log.runs(JOB, None, 1).runs
        assert stored.status == JobStatus.FAILED
        assert stored.details[0].startswith("line 0: xxx")
        assert stored.details[0].endswith("[cut]")
        assert stored.details[-1].endswith("more not stored]")
        assert sum(len(d) for d in stored.details) < MAX_DETAILS_CHARS

    @pytest.mark.parametrize("token", forged_tokens())
    def test_runs_refuse_a_forged_continuation(self, log, token):
        log.save(job_run(1))
        with pytest.raises(InvalidContinuation):
            log.runs(JOB, token, 2)

    # --- preferences ------------------------------------------------------------------------

    def test_preferences_are_the_defaults_until_saved(self, preferences):
        assert preferences.load() == OrderHandlingPreferences()

    def test_preferences_round_trip_and_saving_again_replaces_them(self, preferences):
        first = OrderHandlingPreferences(
            backorders=False, cancellation_sla_days=30,
            fulfillment_process=FulfillmentProcessMode.ON_HAND_CHECK,
            default_strategy="closest/cheapest", extra_source_penalty=Decimal("12.3456789"),
        )  # fmt: skip
        preferences.save(first)
        assert preferences.load() == first
        assert preferences.load().extra_source_penalty == Decimal("12.3456789")

        second = OrderHandlingPreferences(cancellation_sla_days=365)
        preferences.save(second)
        assert preferences.load() == second
