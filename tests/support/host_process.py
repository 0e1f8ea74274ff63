"""Run `python -m devhost` as a subprocess for tests, and stop it the way an operator would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.azurite import ROOT, free_port


@dataclass
class HostProcess:
    """A running devhost: its base URL, process and captured log file."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_host(
    app_dir: Path, env: dict[str, str], log_path: Path, timeout: float = 30
) -> HostProcess:
    """Start devhost for `app_dir` on a free port and wait until /admin/host/status answers."""
    port = free_port()
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "devhost", "--app-dir", str(app_dir), "--port", str(port)],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    host = HostProcess(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"devhost exited with {process.returncode}:\n{host.log()}")
        try:
            if httpx.get(f"{host.base_url}/admin/host/status", timeout=1).status_code == 200:
                return host
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    host.stop(signal.SIGKILL)
    raise RuntimeError(f"devhost did not start within {timeout}s:\n{host.log()}")
