"""The host admin API: host status and manual runs of non-HTTP functions."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from azure.functions import AuthLevel
from werkzeug.wrappers import Request, Response

from devhost.auth import KeyRing, presented_key
from devhost.http_server import json_response

logger = logging.getLogger(__name__)

STATUS_PATH = "/admin/host/status"
FUNCTIONS_PATH = "/admin/functions/"

# Starts one run of a non-HTTP function with the manual input text; returns at once.
ManualRun = Callable[[str], None]


def _input_text(value: Any) -> str:
    """The manual-run input as the string a trigger receives (numbers and bools as JSON)."""
    return value if isinstance(value, str) else json.dumps(value)


def run_in_background(name: str, target: Callable[[], object]) -> None:
    """Run target on a named non-daemon thread so a graceful stop can finish it."""
    threading.Thread(target=target, name=f"manual-{name}", daemon=False).start()


class AdminApi:
    """Serves /admin/host/status and POST /admin/functions/{name}."""

    def __init__(
        self,
        function_names: Sequence[str],
        manual_runs: Mapping[str, ManualRun],
        keys: KeyRing,
        state: Callable[[], str],
    ) -> None:
        self._names = list(function_names)
        self._manual = dict(manual_runs)
        self._keys = keys
        self._state = state

    def handle(self, request: Request) -> Response:
        """The response for a request under /admin/."""
        path = request.path.rstrip("/")
        if path.lower() == STATUS_PATH:
            if request.method not in ("GET", "HEAD"):
                return json_response(405, {"error": "Use GET"})
            return json_response(200, {"state": self._state(), "functions": self._names})
        if path.lower().startswith(FUNCTIONS_PATH) and path.count("/") == 3:
            return self._manual_run(request, path[len(FUNCTIONS_PATH) :])
        return json_response(404, {"error": f"No admin endpoint {request.path}"})

    def _manual_run(self, request: Request, name: str) -> Response:
        if request.method != "POST":
            return json_response(405, {"error": "Use POST"})
        key = presented_key(request)
        if not self._keys.allows(AuthLevel.ADMIN, name, key):
            return json_response(401, {"error": "The master key is required"})
        target = self._find(name)
        if target is None:
            if name.lower() in (n.lower() for n in self._names):
                return json_response(400, {"error": f"{name} is an HTTP function; call its URL"})
            return json_response(404, {"error": f"Function {name} not found"})
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return json_response(400, {"error": 'Body must be JSON like {"input": "..."}'})
        if not isinstance(body, dict):
            return json_response(400, {"error": "Body must be a JSON object"})
        target(_input_text(body.get("input", "")))
        return Response(status=202)

    def _find(self, name: str) -> ManualRun | None:
        # Function names are case-insensitive in the Functions host.
        for known, run in self._manual.items():
            if known.lower() == name.lower():
                return run
        return None
