"""`python -m devhost` start-up failures: a clear message and exit code 1 (no Azurite needed)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.devhost.harness import ROOT
from tests.support.azurite import free_port


def _run(app_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "devhost",
        "--app-dir",
        str(app_dir),
        "--port",
        str(free_port()),
    ]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
    )


def test_two_function_apps_stop_the_host(tmp_path: Path) -> None:
    (tmp_path / "function_app.py").write_text(
        "import azure.functions as func\napp = func.FunctionApp()\nagain = func.FunctionApp()\n"
    )

    result = _run(tmp_path)

    assert result.returncode == 1
    assert "More than one FunctionApp" in result.stderr


def test_invalid_queue_name_stops_the_host(tmp_path: Path) -> None:
    (tmp_path / "function_app.py").write_text(
        textwrap.dedent(
            """
            import azure.functions as func
            app = func.FunctionApp()

            @app.queue_trigger(arg_name="msg", queue_name="Bad_Name", connection="")
            def handler(msg: func.QueueMessage) -> None:
                pass
            """
        )
    )
    (tmp_path / "local.settings.json").write_text(
        '{"Values": {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}}'
    )

    result = _run(tmp_path)

    assert result.returncode == 1
    assert "Invalid queue name 'Bad_Name'" in result.stderr
