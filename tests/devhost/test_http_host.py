"""devhost serving the HTTP test app over real HTTP (Azurite for the queue output binding)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from azure.storage.queue import QueueClient, TextBase64DecodePolicy

from tests.devhost.harness import DevHost
from tests.support.azurite import Azurite
from tests.support.ids import random_name

pytestmark = pytest.mark.integration

FUNCTION_KEY = "fn-key-123"
HOST_KEY = "host-key-456"
MASTER_KEY = "master-key-789"
NO_KEYS = {"FUNCTIONS_MASTER_KEY": "", "FUNCTIONS_HOST_KEY": "", "FUNCTIONS_KEY_secure": ""}


@pytest.fixture(scope="module")
def out_queue() -> str:
    return random_name("out")


@pytest.fixture(scope="module")
def open_host(azurite: Azurite, out_queue: str) -> Iterator[DevHost]:
    """The app with no keys configured: FUNCTION level is open, as under Core Tools."""
    with DevHost("http_app", azurite.connection_string, OUT_QUEUE=out_queue, **NO_KEYS) as host:
        yield host


@pytest.fixture(scope="module")
def keyed_host(azurite: Azurite) -> Iterator[DevHost]:
    """The app with a function key, a host key and a master key configured."""
    keys = {
        "FUNCTIONS_KEY_secure": FUNCTION_KEY,
        "FUNCTIONS_HOST_KEY": HOST_KEY,
        "FUNCTIONS_MASTER_KEY": MASTER_KEY,
    }
    with DevHost("http_app", azurite.connection_string, OUT_QUEUE="unused", **keys) as host:
        yield host


@pytest.mark.parametrize(("value", "status"), [("42", 200), ("-5", 200), ("abc", 404)])
def test_int_route_constraint(open_host: DevHost, value: str, status: int) -> None:
    response = open_host.get(f"/api/items/{value}")

    assert response.status_code == status
    if status == 200:
        assert response.json() == {"id": value}


def test_int_route_rejects_values_outside_int32(open_host: DevHost) -> None:
    assert open_host.get("/api/items/99999999999").status_code == 404


def test_literal_segments_match_case_insensitively(open_host: DevHost) -> None:
    assert open_host.get("/API/Items/7").json() == {"id": "7"}


def test_optional_parameter_matches_with_and_without_value(open_host: DevHost) -> None:
    assert open_host.get("/api/items/7/tags").json() == {"id": "7"}
    assert open_host.get("/api/items/7/tags/red").json() == {"id": "7", "tag": "red"}


def test_catch_all_may_be_empty(open_host: DevHost) -> None:
    assert open_host.get("/api/files").json() == {}
    assert open_host.get("/api/files/a/b.txt").json() == {"rest": "a/b.txt"}


def test_unknown_route_is_404_and_wrong_method_405(open_host: DevHost) -> None:
    assert open_host.get("/api/nothing-here").status_code == 404
    assert open_host.request("POST", "/api/items/1").status_code == 405


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_methods_none_accepts_every_method(open_host: DevHost, method: str) -> None:
    response = open_host.request(method, "/api/echo?q=x", content=b"hi")

    assert response.status_code == 201
    assert response.json() == {"method": method, "body": "hi", "q": "x"}


def test_response_keeps_status_and_repeated_headers(open_host: DevHost) -> None:
    response = open_host.get("/api/echo")

    assert response.headers["content-type"] == "application/json"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_async_function_with_alpha_route(open_host: DevHost) -> None:
    response = open_host.get("/api/hello/World")

    assert response.status_code == 200
    assert response.text == "hello World"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert open_host.get("/api/hello/w0rld").status_code == 404


def test_unhandled_exception_is_500_with_invocation_id(open_host: DevHost) -> None:
    response = open_host.get("/api/boom")

    assert response.status_code == 500
    body = response.json()
    assert "kaboom" in body["error"]
    assert f"Executed 'Functions.boom' (Failed, Id={body['invocationId']}" in open_host.logs()


def test_queue_output_binding_sends_each_value(
    open_host: DevHost, azurite: Azurite, out_queue: str
) -> None:
    response = open_host.request("POST", "/api/enqueue", content=b"first")

    assert response.status_code == 200  # the body is context.invocation_id
    assert f"Executed 'Functions.enqueue' (Succeeded, Id={response.text}," in open_host.logs()
    queue = QueueClient.from_connection_string(
        azurite.connection_string, out_queue, message_decode_policy=TextBase64DecodePolicy()
    )
    assert sorted(m.content for m in queue.receive_messages()) == ["first", "second"]


def test_function_level_is_open_when_no_key_is_configured(open_host: DevHost) -> None:
    assert open_host.get("/api/secure").status_code == 200
    assert open_host.get("/api/master").status_code == 200


def test_function_level_needs_a_key_when_configured(keyed_host: DevHost) -> None:
    missing = keyed_host.get("/api/secure")
    wrong = keyed_host.get("/api/secure", headers={"x-functions-key": "nope"})

    assert (missing.status_code, missing.content) == (401, b"")
    assert wrong.status_code == 401


@pytest.mark.parametrize("key", [FUNCTION_KEY, HOST_KEY, MASTER_KEY])
def test_function_level_accepts_header_or_code(keyed_host: DevHost, key: str) -> None:
    by_header = keyed_host.get("/api/secure", headers={"x-functions-key": key})
    by_query = keyed_host.get("/api/secure", params={"code": key})

    assert (by_header.status_code, by_header.text) == (200, "secret")
    assert by_query.status_code == 200


def test_admin_level_needs_the_master_key(keyed_host: DevHost) -> None:
    assert keyed_host.get("/api/master", params={"code": FUNCTION_KEY}).status_code == 401
    assert keyed_host.get("/api/master", params={"code": MASTER_KEY}).status_code == 200


def test_anonymous_routes_stay_open_with_keys_configured(keyed_host: DevHost) -> None:
    assert keyed_host.get("/api/items/1").status_code == 200


def test_host_status_lists_functions(open_host: DevHost) -> None:
    status = open_host.get("/admin/host/status").json()

    assert status["state"] == "Running"
    assert "AsyncHello" in status["functions"]
    assert "get_item" in status["functions"]


def test_startup_banner_lists_urls(open_host: DevHost) -> None:
    url = f"{open_host.base_url}/api/items/{{id:int}}"
    assert f"get_item: [GET] {url}" in open_host.logs()


def test_manual_run_of_an_http_function_is_refused(open_host: DevHost) -> None:
    response = open_host.request("POST", "/admin/functions/echo", json={"input": "x"})

    assert response.status_code == 400
    assert open_host.request("POST", "/admin/functions/missing", json={}).status_code == 404
