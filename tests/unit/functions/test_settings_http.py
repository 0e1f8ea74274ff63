import json
from types import SimpleNamespace

import azure.functions as func
import pytest

from domain.orders.preferences import FulfillmentProcessMode, OrderHandlingPreferences
from functions import settings as triggers


class FakePreferenceStore:
    def __init__(self):
        self.saved: list[OrderHandlingPreferences] = []

    def load(self):
        return self.saved[-1] if self.saved else OrderHandlingPreferences()

    def save(self, preferences):
        self.saved.append(preferences)


@pytest.fixture
def store(monkeypatch):
    store = FakePreferenceStore()
    container = SimpleNamespace(preferences=store)
    monkeypatch.setattr(triggers, "get_container", lambda: container)
    return store


def call(trigger, method, body=None):
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    request = func.HttpRequest(
        method=method, url="http://localhost/api/settings/order-handling", body=raw
    )
    response = trigger(request)
    return response.status_code, json.loads(response.get_body())


DEFAULTS = {
    "backorders": True, "cancellationSlaDays": 7,
    "fulfillmentProcess": "Inventory check and fulfillment order creation",
    "defaultStrategy": None, "extraSourcePenalty": "50",
}  # fmt: skip


def test_get_answers_the_defaults_until_someone_saves(store):
    assert call(triggers.get_order_handling, "GET") == (200, DEFAULTS)


def test_put_replaces_the_preferences_and_get_answers_them(store):
    body = {
        "backorders": False, "cancellationSlaDays": 30,
        "fulfillmentProcess": "Inventory On hand check", "defaultStrategy": "closest",
        "extraSourcePenalty": 12.5,
    }  # fmt: skip
    status, saved = call(triggers.set_order_handling, "PUT", body)

    assert status == 200
    assert saved == {**body, "extraSourcePenalty": "12.5"}
    assert store.saved == [
        OrderHandlingPreferences(
            backorders=False, cancellation_sla_days=30, default_strategy="closest",
            fulfillment_process=FulfillmentProcessMode.ON_HAND_CHECK, extra_source_penalty=12.5,
        )
    ]  # fmt: skip
    assert call(triggers.get_order_handling, "GET") == (200, saved)


def test_put_of_some_fields_gives_the_others_their_defaults(store):
    status, saved = call(triggers.set_order_handling, "PUT", {"cancellationSlaDays": 14})

    assert status == 200
    assert saved == {**DEFAULTS, "cancellationSlaDays": 14}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cancellationSlaDays": 366}, "cancellationSlaDays"),
        ({"cancellationSlaDays": 0}, "cancellationSlaDays"),
        ({"fulfillmentProcess": "Ship it"}, "fulfillmentProcess"),
        ({"extraSourcePenalty": -1}, "extraSourcePenalty"),
        ({"defaultStrategy": "s" * 101}, "defaultStrategy"),
        ({"backorders": "maybe"}, "backorders"),
        ({"autoRelease": True}, "autoRelease"),
    ],
)
def test_put_rejects_a_bad_field_with_a_400_naming_it(store, body, field):
    status, answer = call(triggers.set_order_handling, "PUT", body)

    assert status == 400
    assert answer["error"]["field"] == field
    assert store.saved == []


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1"])
def test_put_without_a_json_body_is_a_400(store, raw):
    status, answer = call(triggers.set_order_handling, "PUT", raw)

    assert status == 400
    assert answer["error"]["code"] == "InvalidJson"
    assert store.saved == []
