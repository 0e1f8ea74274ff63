"""Invocations in-process: arguments, context, failures, async timeouts and the log line."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import azure.functions as func
import pytest

from devhost.bindings import InvocationContext, queue_bodies
from devhost.invoker import Invoker
from devhost.loader import FunctionDef, index_functions
from devhost.storage import QueueSender

EXECUTED = "Executed 'Functions.{}' ({}, Id={}, Duration="


def _functions(app: func.FunctionApp) -> dict[str, FunctionDef]:
    return {f.name: f for f in index_functions(app.get_functions(), "/app")}


def _invoker(timeout: float | None = None) -> Invoker:
    return Invoker(QueueSender("base64"), timeout)


def _request() -> func.HttpRequest:
    return func.HttpRequest("GET", "http://localhost/api/x", body=b"")


def test_context_and_request_are_passed(caplog: pytest.LogCaptureFixture) -> None:
    app = func.FunctionApp()
    seen: dict[str, Any] = {}

    @app.route(route="x")
    def handler(req: func.HttpRequest, context: func.Context) -> str:
        seen.update(req=req, context=context, local=context.thread_local_storage.invocation_id)
        return "done"

    request = _request()
    with caplog.at_level(logging.INFO, logger="devhost.invoker"):
        outcome = _invoker().invoke(_functions(app)["handler"], request)

    assert outcome.succeeded
    assert outcome.result == "done"
    assert seen["req"] is request
    context = seen["context"]
    assert isinstance(context, InvocationContext)
    assert (context.invocation_id, context.function_name) == (outcome.invocation_id, "handler")
    assert context.function_directory == "/app"
    assert context.trace_context.trace_parent.startswith("00-")
    assert context.retry_context.retry_count == 0
    assert seen["local"] == outcome.invocation_id
    assert EXECUTED.format("handler", "Succeeded", outcome.invocation_id) in caplog.text


def test_failure_is_returned_and_logged_with_traceback(caplog: pytest.LogCaptureFixture) -> None:
    app = func.FunctionApp()

    @app.route(route="x")
    def broken(req: func.HttpRequest) -> str:
        raise ValueError("bad input")

    outcome = _invoker().invoke(_functions(app)["broken"], _request())

    assert isinstance(outcome.error, ValueError)
    record = next(r for r in caplog.records if r.name == "devhost.invoker")
    assert record.getMessage().startswith(
        EXECUTED.format("broken", "Failed", outcome.invocation_id)
    )
    assert record.exc_info is not None


def test_async_function_runs_on_an_event_loop() -> None:
    app = func.FunctionApp()

    @app.route(route="x")
    async def handler(req: func.HttpRequest) -> str:
        await asyncio.sleep(0)
        return "async"

    assert _invoker().invoke(_functions(app)["handler"], _request()).result == "async"


def test_async_function_is_bounded_by_the_function_timeout() -> None:
    app = func.FunctionApp()

    @app.route(route="x")
    async def handler(req: func.HttpRequest) -> str:
        await asyncio.sleep(5)
        return "late"

    outcome = _invoker(timeout=0.05).invoke(_functions(app)["handler"], _request())

    assert isinstance(outcome.error, TimeoutError)


def test_wait_idle_waits_for_running_invocations() -> None:
    app = func.FunctionApp()
    started, release = threading.Event(), threading.Event()

    @app.route(route="x")
    def handler(req: func.HttpRequest) -> str:
        started.set()
        release.wait(5)
        return "ok"

    invoker = _invoker()
    worker = threading.Thread(target=invoker.invoke, args=(_functions(app)["handler"], _request()))
    worker.start()
    started.wait(5)
    try:
        assert not invoker.wait_idle(0.1)
        assert invoker.active == 1
    finally:
        release.set()
    assert invoker.wait_idle(5)
    worker.join()


@pytest.mark.parametrize(
    ("value", "bodies"),
    [
        ("text", [b"text"]),
        (b"\x00bin", [b"\x00bin"]),
        (["a", b"b"], [b"a", b"b"]),
        (func.QueueMessage(body=b"m"), [b"m"]),
        (None, []),
    ],
)
def test_queue_output_values(value: object, bodies: list[bytes]) -> None:
    assert queue_bodies(value) == bodies


def test_queue_output_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        queue_bodies(3.5)
