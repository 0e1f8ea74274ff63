"""Run devhost as a subprocess against the test Azurite, and observe what test apps record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from azure.data.tables import TableClient, TableServiceClient

from tests.support.azurite import free_port

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parent / "apps"
T = TypeVar("T")


def wait_until(probe: Callable[[], T], timeout: float = 10.0, interval: float = 0.1) -> T:
    """Poll probe until it returns something truthy; fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        time.sleep(interval)


class Effects:
    """The Azurite table where test apps record what they saw (see apps/recorder.py)."""

    def __init__(self, connection: str, name: str) -> None:
        self.name = name
        with TableServiceClient.from_connection_string(connection) as service:
            service.create_table(name)
        self._table = TableClient.from_connection_string(connection, name)

    def close(self) -> None:
        """Close the table client."""
        self._table.close()

    def of(self, kind: str) -> list[dict[str, Any]]:
        """Rows recorded with PartitionKey = kind."""
        return list(self._table.query_entities("PartitionKey eq @k", parameters={"k": kind}))

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until at least count rows of kind exist, and return them."""

        def enough() -> list[dict[str, Any]]:
            rows = self.of(kind)
            return rows if len(rows) >= count else []

        return wait_until(enough, timeout)


class DevHost:
    """`python -m devhost` on a free port for one test app; logs go to a temp file."""

    def __init__(self, app: str, connection: str, **env: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in __exit__
            prefix="devhost-", suffix=".log", delete=False
        )
        environment = {**os.environ, "AzureWebJobsStorage": connection, "PYTHONPATH": str(APPS)}
        environment.update(env)
        command = [sys.executable, "-m", "devhost", "--app-dir", str(APPS / app)]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=ROOT,
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def __enter__(self) -> DevHost:
        self.wait_ready()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.stop()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Wait for GET /admin/host/status to answer Running."""

        def running() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"devhost exited early:\n{self.logs()}")
            try:
                return self.get("/admin/host/status").json()["state"] == "Running"
            except httpx.HTTPError:
                return False

        wait_until(running, timeout)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.base_url + path, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, self.base_url + path, **kwargs)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait; the exit code."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def logs(self) -> str:
        return Path(self._log.name).read_text(errors="replace")
