import json
import logging
from datetime import UTC, datetime, timedelta

import azure.functions as func
import pytest
from azure.functions.timer import TimerRequest

from adapters.storage.table import InvalidContinuation
from functions import jobs as triggers
from services.jobs import JobRun, JobRunPage, JobStatus

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

FINISHED = JobRun(
    job="backorder-release", run_id="run-2", started_at=T0, trigger="api",
    status=JobStatus.SUCCEEDED, ended_at=T0 + timedelta(seconds=3), examined=7, released=2,
    cancelled=1, details=["released o-1/l-1"],
)  # fmt: skip
FINISHED_BODY = {
    "job": "backorder-release", "runId": "run-2", "startedAt": "2026-11-23T12:00:00+00:00",
    "endedAt": "2026-11-23T12:00:03+00:00", "status": "Succeeded", "trigger": "api",
    "examined": 7, "released": 2, "cancelled": 1, "details": ["released o-1/l-1"], "counts": {},
}  # fmt: skip
RUNNING = JobRun(job="backorder-release", run_id="run-1", started_at=T0, trigger="timer")


class FakeJobLog:
    def __init__(self):
        self.calls: list[tuple[str, str | None, int]] = []

    def save(self, run):
        raise AssertionError("the API only reads the log")

    def runs(self, job, continuation, limit):
        self.calls.append((job, continuation, limit))
        if continuation == "garbage":
            raise InvalidContinuation()
        return JobRunPage([FINISHED, RUNNING], "next-token")


class FakeJobs:
    def __init__(self, run: JobRun = FINISHED):
        self.job_log = FakeJobLog()
        self.triggers: list[str] = []
        self.run = run

    def run_backorder_release(self, trigger):
        self.triggers.append(trigger)
        return self.run


@pytest.fixture
def jobs(monkeypatch):
    jobs = FakeJobs()
    monkeypatch.setattr(triggers, "get_container", lambda: jobs)
    return jobs


def call(trigger, method, path, params=None, **route_params):
    request = func.HttpRequest(
        method=method, url=f"http://localhost/api/{path}", body=b"", params=params or {},
        route_params=route_params,
    )  # fmt: skip
    response = trigger(request)
    return response.status_code, json.loads(response.get_body())


def test_run_now_runs_the_job_for_the_api_and_answers_the_run(jobs):
    status, body = call(triggers.run_backorder_release, "POST", "jobs/backorder-release/run")

    assert (status, body) == (200, FINISHED_BODY)
    assert jobs.triggers == ["api"]


def test_run_now_answers_a_failed_run_too(monkeypatch):
    failed = JobRun(
        job="backorder-release", run_id="run-3", started_at=T0, trigger="api",
        status=JobStatus.FAILED, ended_at=T0, details=["failed: storage down"],
    )  # fmt: skip
    monkeypatch.setattr(triggers, "get_container", lambda: FakeJobs(failed))

    status, body = call(triggers.run_backorder_release, "POST", "jobs/backorder-release/run")

    assert status == 200
    assert (body["status"], body["details"]) == ("Failed", ["failed: storage down"])


def test_runs_lists_the_log_newest_first_with_defaults(jobs):
    status, body = call(triggers.list_job_runs, "GET", "r", job="backorder-release")

    assert status == 200
    assert jobs.job_log.calls == [("backorder-release", None, 50)]
    assert body["continuation"] == "next-token"
    assert body["runs"][0] == FINISHED_BODY
    assert body["runs"][1] == {
        "job": "backorder-release", "runId": "run-1", "startedAt": "2026-11-23T12:00:00+00:00",
        "endedAt": None, "status": "Running", "trigger": "timer", "examined": 0, "released": 0,
        "cancelled": 0, "details": [], "counts": {},
    }  # fmt: skip


def test_runs_pass_limit_and_continuation(jobs):
    params = {"limit": "200", "continuation": "tok"}
    status, _ = call(triggers.list_job_runs, "GET", "r", params, job="backorder-release")

    assert status == 200
    assert jobs.job_log.calls == [("backorder-release", "tok", 200)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"), ({"limit": "ten"}, "limit"),
        ({"continuation": "garbage"}, "continuation"),
    ],
)  # fmt: skip
def test_runs_reject_a_bad_parameter_with_a_400_naming_it(jobs, params, field):
    status, body = call(triggers.list_job_runs, "GET", "r", params, job="backorder-release")

    assert status == 400
    assert body["error"]["field"] == field


def test_runs_of_an_unknown_job_are_a_404(jobs):
    status, body = call(triggers.list_job_runs, "GET", "r", job="defragment")

    assert status == 404
    assert body["error"]["code"] == "NotFound"
    assert "backorder-release" in body["error"]["message"]
    assert jobs.job_log.calls == []


@pytest.mark.parametrize("run", [FINISHED, RUNNING])
def test_the_timer_runs_the_job_and_logs_the_counts(monkeypatch, caplog, run):
    jobs = FakeJobs(run)
    monkeypatch.setattr(triggers, "get_container", lambda: jobs)
    caplog.set_level(logging.INFO, logger=triggers.__name__)

    triggers.release_backorders(TimerRequest(past_due=True))

    assert jobs.triggers == ["timer"]
    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert f"examined {run.examined}, released {run.released}" in record.getMessage()
    assert "past due True" in record.getMessage()


def test_the_timer_logs_a_failed_run_as_an_error(monkeypatch, caplog):
    failed = JobRun(job="backorder-release", run_id="run-4", started_at=T0, trigger="timer",
                    status=JobStatus.FAILED)  # fmt: skip
    monkeypatch.setattr(triggers, "get_container", lambda: FakeJobs(failed))
    caplog.set_level(logging.INFO, logger=triggers.__name__)

    triggers.release_backorders(TimerRequest())

    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "Failed" in record.getMessage()
