import logging

import azure.functions as func
import pytest
from azure.functions.timer import TimerRequest

from functions import erp_pollers
from services.inbound_orders import InvoiceSweep, PullReport


class FakePollers:
    def __init__(self, report: PullReport, sweep: InvoiceSweep):
        self.report, self.sweep = report, sweep
        self.calls: list[str] = []

    def pull_erp_orders(self):
        self.calls.append("pull")
        return self.report

    def poll_invoices(self):
        self.calls.append("poll")
        return self.sweep


def timer() -> TimerRequest:
    return TimerRequest(past_due=False)


@pytest.fixture
def pollers(monkeypatch):
    fake = FakePollers(
        PullReport(examined=3, taken=1, refused=("fno/usmf/SO-9",), ours=1),
        InvoiceSweep(examined=2, invoiced=("o-1",), expired=("o-2",)),
    )
    monkeypatch.setattr(erp_pollers, "get_container", lambda: fake)
    return fake


def test_the_order_pull_runs_and_reports_refusals(pollers, caplog):
    with caplog.at_level(logging.INFO, logger=erp_pollers.__name__):
        erp_pollers.pull_fno_orders(timer())
    assert pollers.calls == ["pull"]
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "examined 3, taken 1, the hub's own 1, refused 1" in record.getMessage()


def test_the_invoice_check_runs_and_warns_about_expired_orders(pollers, caplog):
    with caplog.at_level(logging.INFO, logger=erp_pollers.__name__):
        erp_pollers.poll_sap_invoices(timer())
    assert pollers.calls == ["poll"]
    assert "examined 2, invoiced 1, dropped 0, expired 1" in caplog.records[0].getMessage()
    assert caplog.records[1].levelno == logging.WARNING


def test_the_timers_are_scheduled_two_minutes_apart_by_half_a_minute():
    app = func.FunctionApp()
    app.register_functions(erp_pollers.bp)
    schedules = {
        function.get_function_name(): [
            (b.schedule, b.run_on_startup) for b in function.get_bindings()
        ]
        for function in app.get_functions()
    }
    assert schedules == {
        "pull_fno_orders": [("0 */2 * * * *", False)],
        "poll_sap_invoices": [("30 */2 * * * *", False)],
    }
