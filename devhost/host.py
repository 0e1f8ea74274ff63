"""Host lifecycle: settings and app loading, listeners and HTTP server, graceful stop."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from azure.functions.decorators.http import HttpMethod

from devhost.admin import AdminApi, ManualRun, run_in_background
from devhost.auth import KeyRing
from devhost.config import (
    STORAGE_SETTING,
    apply_settings,
    host_id,
    is_disabled,
    load_host_config,
    read_local_settings,
    resolve_connection,
    resolve_setting_references,
    shutdown_timeout,
)
from devhost.http_server import (
    HTTP_TRIGGER,
    FunctionsApp,
    build_router,
    start_server,
    trigger_methods,
    trigger_route,
)
from devhost.invoker import QUEUE_OUTPUT, SUPPORTED_OUTPUTS, Invoker
from devhost.loader import FunctionDef, load_functions
from devhost.queue_listener import QueueListener
from devhost.storage import QueueSender, validate_queue_name
from devhost.timer_monitor import TimerStatusStore
from devhost.timer_scheduler import TimerScheduler

logger = logging.getLogger(__name__)

QUEUE_TRIGGER = "queueTrigger"
TIMER_TRIGGER = "timerTrigger"
TIMER_JOIN_SECONDS = 10.0
SUPPORTED_TRIGGERS = frozenset({HTTP_TRIGGER, QUEUE_TRIGGER, TIMER_TRIGGER})


def _supported(fn: FunctionDef) -> bool:
    """Whether devhost can run fn; warns about what it cannot."""
    if fn.trigger_type not in SUPPORTED_TRIGGERS:
        logger.warning(
            "%s: %s triggers are not supported by devhost; skipped", fn.name, fn.trigger_type
        )
        return False
    for binding in fn.bindings:
        if binding is not fn.trigger and binding.type not in SUPPORTED_OUTPUTS:
            logger.warning("%s: %s bindings are not supported by devhost", fn.name, binding.type)
        if binding.type == QUEUE_OUTPUT:
            # Functions rejects a bad queue name at indexing, not at the first send.
            queue_name = str(getattr(binding, "queue_name", ""))
            validate_queue_name(resolve_setting_references(queue_name))
    return True


class Host:
    """The running host: one app, its HTTP server, queue listeners and timers."""

    def __init__(self, app_dir: Path, address: str = "127.0.0.1", port: int = 7071) -> None:
        self.app_dir = app_dir.resolve()
        self.address = address
        apply_settings(read_local_settings(self.app_dir), os.environ)
        self.config = load_host_config(self.app_dir)
        loaded = load_functions(self.app_dir)
        self.functions = [f for f in loaded if not is_disabled(f.name) and _supported(f)]
        self.disabled = [f.name for f in loaded if is_disabled(f.name)]
        self._state = "Initialized"
        keys = KeyRing.from_settings(os.environ)
        self.invoker = Invoker(
            QueueSender(self.config.queues.message_encoding), self.config.function_timeout
        )
        self.listeners = [self._listener(f) for f in self._of_type(QUEUE_TRIGGER)]
        self.timers = self._timers()
        manual: dict[str, Callable[[str], None]] = {
            runner.fn.name: self._background(runner.fn.name, runner.run_manually)
            for runner in self._runners
        }
        admin = AdminApi([f.name for f in self.functions], manual, keys, lambda: self._state)
        router = build_router(self.functions, self.config.route_prefix)
        self.server = start_server(FunctionsApp(router, self.invoker, keys, admin), address, port)
        self._server_thread = threading.Thread(
            target=self.server.serve_forever, name="http-server", daemon=True
        )

    @property
    def _runners(self) -> list[QueueListener | TimerScheduler]:
        return [*self.listeners, *self.timers]

    @property
    def port(self) -> int:
        """The bound HTTP port."""
        return int(self.server.server_port)

    def _of_type(self, trigger_type: str) -> list[FunctionDef]:
        return [f for f in self.functions if f.trigger_type == trigger_type]

    def _listener(self, fn: FunctionDef) -> QueueListener:
        connection = resolve_connection(getattr(fn.trigger, "connection", None))
        return QueueListener(fn, connection, self.config.queues, self.invoker)

    def _timers(self) -> list[TimerScheduler]:
        functions = self._of_type(TIMER_TRIGGER)
        store = None
        if functions and os.environ.get(STORAGE_SETTING):
            store = TimerStatusStore(resolve_connection(None), host_id(self.app_dir))
        elif functions:
            logger.warning("%s is not set: timer schedules are not monitored", STORAGE_SETTING)
        return [TimerScheduler(f, self.invoker, store) for f in functions]

    @staticmethod
    def _background(name: str, run: Callable[[str], None]) -> ManualRun:
        return lambda text: run_in_background(name, lambda: run(text))

    def start(self) -> None:
        """Serve HTTP, poll queues and schedule timers."""
        self._server_thread.start()
        for listener in self.listeners:
            listener.start()
        for timer in self.timers:
            timer.start()
        self._state = "Running"

    def stop(self) -> bool:
        """Stop triggers, let in-flight invocations finish, close the server; False if cut short."""
        self._state = "Stopping"
        for runner in self._runners:
            runner.stop()
        drained = self.invoker.wait_idle(shutdown_timeout(self.config))
        if drained:
            for listener in self.listeners:
                listener.join()
            for timer in self.timers:
                # A timer thread may be stuck retrying storage; it is a daemon, so do not wait long.
                timer.join(TIMER_JOIN_SECONDS)
        else:
            logger.error("In-flight invocations did not finish within the function timeout")
        self.server.shutdown()
        self.server.server_close()
        self._state = "Stopped"
        return drained

    def describe(self) -> list[str]:
        """Core Tools-like lines listing each function and, for HTTP, its URL."""
        base = f"http://{self.address}:{self.port}"
        prefix = f"/{self.config.route_prefix}" if self.config.route_prefix else ""
        lines = []
        for fn in self.functions:
            if fn.trigger_type != HTTP_TRIGGER:
                lines.append(f"{fn.name}: {fn.trigger_type}")
                continue
            methods = trigger_methods(fn) or [m.value for m in HttpMethod]
            url = f"{base}{prefix}/{trigger_route(fn).lstrip('/')}"
            lines.append(f"{fn.name}: [{','.join(methods)}] {url}")
        return lines
