"""Run one function invocation: arguments, context, sync or async call, outputs and its log line."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devhost.bindings import InvocationContext, OutValue, queue_bodies, set_current_invocation
from devhost.config import resolve_connection, resolve_setting_references
from devhost.loader import CONTEXT_PARAMETER, FunctionDef
from devhost.storage import QueueSender

logger = logging.getLogger(__name__)

QUEUE_OUTPUT = "queue"
HTTP_OUTPUT = "http"
SUPPORTED_OUTPUTS = frozenset({QUEUE_OUTPUT, HTTP_OUTPUT})


@dataclass(frozen=True)
class Invocation:
    """The outcome of one invocation."""

    invocation_id: str
    function_name: str
    result: Any = None
    error: BaseException | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the function (and its output bindings) completed without error."""
        return self.error is None


class Invoker:
    """Invokes user functions and counts those in flight so shutdown can wait for them."""

    def __init__(
        self,
        sender: QueueSender,
        function_timeout: float | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._sender = sender
        self._timeout = function_timeout
        self._env = env
        self._active = 0
        self._idle = threading.Condition()

    @property
    def active(self) -> int:
        """Invocations running now."""
        with self._idle:
            return self._active

    def wait_idle(self, timeout: float | None) -> bool:
        """Wait until no invocation runs; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)

    def invoke(self, fn: FunctionDef, trigger_value: Any) -> Invocation:
        """Invoke fn with its trigger value; failures are logged and returned, never raised."""
        invocation_id = str(uuid.uuid4())
        with self._idle:
            self._active += 1
        started = time.monotonic()
        try:
            outcome = self._run(fn, trigger_value, invocation_id)
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()
        self._log(outcome, round((time.monotonic() - started) * 1000))
        return outcome

    def _run(self, fn: FunctionDef, trigger_value: Any, invocation_id: str) -> Invocation:
        kwargs, outs = self._arguments(fn, trigger_value, invocation_id)
        set_current_invocation(invocation_id)
        try:
            result = self._call(fn, kwargs)
            self._flush(fn, {name: out.get() for name, out in outs.items()}, result)
        except Exception as err:  # any user error is a failed invocation
            return Invocation(invocation_id, fn.name, error=err)
        finally:
            set_current_invocation(None)
        return Invocation(invocation_id, fn.name, result=result)

    def _arguments(
        self, fn: FunctionDef, trigger_value: Any, invocation_id: str
    ) -> tuple[dict[str, Any], dict[str, OutValue]]:
        outs = {binding.name: OutValue() for binding in fn.outputs}
        kwargs: dict[str, Any] = {fn.trigger.name: trigger_value, **outs}
        for binding in fn.inputs:
            kwargs[binding.name] = None  # input bindings other than the trigger are unsupported
        if fn.wants_context:
            kwargs[CONTEXT_PARAMETER] = InvocationContext(invocation_id, fn.name, fn.directory)
        return kwargs, outs

    def _call(self, fn: FunctionDef, kwargs: dict[str, Any]) -> Any:
        if not fn.is_async:
            return fn.user_function(**kwargs)
        # One event loop per call keeps async functions isolated from the server threads.
        return asyncio.run(self._bounded(fn.user_function(**kwargs)))

    async def _bounded(self, coroutine: Any) -> Any:
        if self._timeout is None:
            return await coroutine
        return await asyncio.wait_for(coroutine, self._timeout)

    def _flush(self, fn: FunctionDef, values: dict[str, Any], result: Any) -> None:
        """Send output binding values after the function succeeded, as the host does."""
        targets = [(b, values.get(b.name)) for b in fn.outputs]
        if fn.return_binding is not None:
            targets.append((fn.return_binding, result))
        for binding, value in targets:
            if value is None or binding.type != QUEUE_OUTPUT:
                continue
            connection = resolve_connection(getattr(binding, "connection", None), self._env)
            queue_name = resolve_setting_references(
                str(getattr(binding, "queue_name", "")), self._env
            )
            self._sender.send(connection, queue_name, queue_bodies(value))

    def _log(self, outcome: Invocation, duration_ms: int) -> None:
        status = "Succeeded" if outcome.succeeded else "Failed"
        args = (outcome.function_name, status, outcome.invocation_id, duration_ms)
        message = "Executed 'Functions.%s' (%s, Id=%s, Duration=%dms)"
        if outcome.error is None:
            logger.info(message, *args)
        else:
            logger.error(message, *args, exc_info=outcome.error)
