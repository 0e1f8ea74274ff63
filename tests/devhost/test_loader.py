"""Importing function_app.py and indexing it like the Python worker (in-process)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from devhost.loader import FunctionLoadError, load_functions


@pytest.fixture(autouse=True)
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test imports its own function_app (and siblings); undo that afterwards."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]
    sys.modules.pop("function_app", None)


def _app(tmp_path: Path, source: str, **files: str) -> Path:
    (tmp_path / "function_app.py").write_text(textwrap.dedent(source))
    for name, text in files.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(text))
    return tmp_path


def test_indexes_app_and_blueprint_functions(tmp_path: Path) -> None:
    app_dir = _app(
        tmp_path,
        """
        import azure.functions as func
        from blueprint_mod import bp

        app = func.FunctionApp()
        app.register_functions(bp)

        @app.function_name(name="Health")
        @app.route(route="health")
        def health(req: func.HttpRequest, context: func.Context) -> str:
            return "ok"
        """,
        blueprint_mod="""
        import azure.functions as func

        bp = func.Blueprint()

        @bp.queue_trigger(arg_name="msg", queue_name="work", connection="AzureWebJobsStorage")
        @bp.queue_output(arg_name="out", queue_name="done", connection="AzureWebJobsStorage")
        def worker(msg: func.QueueMessage, out: func.Out[str]) -> None:
            out.set("x")
        """,
    )

    functions = {f.name: f for f in load_functions(app_dir)}

    assert sorted(functions) == ["Health", "worker"]
    assert functions["Health"].trigger_type == "httpTrigger"
    assert functions["Health"].wants_context
    assert functions["Health"].return_binding is not None
    assert functions["Health"].directory == str(app_dir.resolve())
    assert functions["worker"].trigger_type == "queueTrigger"
    assert [b.name for b in functions["worker"].outputs] == ["out"]
    assert not functions["worker"].wants_context


def test_two_apps_are_an_error(tmp_path: Path) -> None:
    app_dir = _app(
        tmp_path,
        """
        import azure.functions as func
        app = func.FunctionApp()
        other = func.FunctionApp()
        """,
    )

    with pytest.raises(FunctionLoadError, match="More than one"):
        load_functions(app_dir)


def test_a_blueprint_alone_is_not_an_app(tmp_path: Path) -> None:
    app_dir = _app(tmp_path, "import azure.functions as func\nbp = func.Blueprint()\n")

    with pytest.raises(FunctionLoadError, match="Could not find top level function app"):
        load_functions(app_dir)


def test_missing_script(tmp_path: Path) -> None:
    with pytest.raises(FunctionLoadError, match="not found"):
        load_functions(tmp_path)


def test_async_functions_are_detected(tmp_path: Path) -> None:
    app_dir = _app(
        tmp_path,
        """
        import azure.functions as func
        app = func.FunctionApp()

        @app.route(route="a")
        async def a(req: func.HttpRequest) -> str:
            return "a"
        """,
    )

    (function,) = load_functions(app_dir)

    assert function.is_async
