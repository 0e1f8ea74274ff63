import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

import azure.functions as func
import pytest

from functions import errors as triggers
from services.orders.ports import ErrorKind, ErrorPage, OperationError

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

STEP_ERROR = OperationError(
    error_id="e-1", kind=ErrorKind.ORCHESTRATION_STEP, at=AT, message="provider timed out",
    order_id="o-1", flow_id="f-1", step_id="send", attempt=3, details={"provider": "wms"},
)  # fmt: skip


@dataclass
class FakeErrorLog:
    page: ErrorPage = field(default_factory=lambda: ErrorPage([STEP_ERROR], "next-token"))
    calls: list[tuple[object, ...]] = field(default_factory=list)

    def list(self, kind, order_id, continuation, limit):
        self.calls.append((kind, order_id, continuation, limit))
        if continuation == "garbage":
            raise ValueError("the continuation token is not valid")
        return self.page


@pytest.fixture
def log(monkeypatch):
    log = FakeErrorLog()
    container = SimpleNamespace(engine=SimpleNamespace(errors=log))
    monkeypatch.setattr(triggers, "get_container", lambda: container)
    return log


def get(**params):
    request = func.HttpRequest(
        method="GET", url="http://localhost/api/errors", body=b"", params=params
    )
    response = triggers.list_errors(request)
    return response.status_code, json.loads(response.get_body())


def test_lists_errors_with_defaults(log):
    status, body = get()

    assert status == 200
    assert log.calls == [(None, None, None, 50)]
    assert body == {
        "errors": [{
            "errorId": "e-1", "kind": "Orchestration step", "at": "2026-11-23T12:00:00+00:00",
            "message": "provider timed out", "orderId": "o-1", "flowId": "f-1",
            "stepId": "send", "policyId": None, "attempt": 3, "details": {"provider": "wms"},
        }],
        "continuation": "next-token",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("Inbound", ErrorKind.INBOUND), ("inbound", ErrorKind.INBOUND),
        ("Provider action", ErrorKind.PROVIDER_ACTION),
        ("provider-action", ErrorKind.PROVIDER_ACTION),
        ("Orchestration step", ErrorKind.ORCHESTRATION_STEP),
        ("orchestration-step", ErrorKind.ORCHESTRATION_STEP),
        ("Policy", ErrorKind.POLICY), ("policy", ErrorKind.POLICY),
    ],
)  # fmt: skip
def test_kind_by_value_or_slug(log, raw, kind):
    status, _ = get(kind=raw, orderId="o-1", limit="500", continuation="tok")

    assert status == 200
    assert log.calls == [(kind, "o-1", "tok", 500)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "Outbound"}, "kind"),
        ({"kind": "provider action"}, "kind"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"continuation": "garbage"}, "continuation"),
    ],
)
def test_bad_queries_are_400_naming_the_parameter(log, params, field):
    status, body = get(**params)

    assert status == 400
    assert body["error"]["code"] == "InvalidRequest"
    assert body["error"]["field"] == field
