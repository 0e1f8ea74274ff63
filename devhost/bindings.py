"""Objects handed to user functions: func.Out values and the invocation Context."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from typing import Any

import azure.functions as func
from azure.functions import _abc as func_abc

# The worker exposes one threading.local; it carries the current invocation id for user threads.
_THREAD_LOCAL = threading.local()


class OutValue(func.Out[Any]):
    """An output binding parameter: the function calls set(), devhost reads it afterwards."""

    def __init__(self) -> None:
        self._value: Any = None

    def set(self, val: Any) -> None:
        """Set the value to emit."""
        self._value = val

    def get(self) -> Any:
        """The value set so far (None when unset)."""
        return self._value


class _RpcException(func_abc.RpcException):
    """An empty exception record, as the worker sends on a first try."""

    @property
    def source(self) -> str:
        return ""

    @property
    def stack_trace(self) -> str:
        return ""

    @property
    def message(self) -> str:
        return ""


class _TraceContext(func_abc.TraceContext):
    """A fresh W3C trace context per invocation."""

    def __init__(self) -> None:
        self._parent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"

    @property
    def trace_state(self) -> str:
        return ""

    @property
    def trace_parent(self) -> str:
        return self._parent

    @property
    def attributes(self) -> dict[str, str]:
        return {}


class _RetryContext(func_abc.RetryContext):
    """Retry counters; devhost does not run retry policies, so always the first try."""

    @property
    def retry_count(self) -> int:
        return 0

    @property
    def max_retry_count(self) -> int:
        return 0

    @property
    def exception(self) -> func_abc.RpcException:
        return _RpcException()


class InvocationContext(func.Context):
    """The `context` argument: invocation id, function name and directory, tracing."""

    def __init__(self, invocation_id: str, function_name: str, function_directory: str) -> None:
        self._invocation_id = invocation_id
        self._function_name = function_name
        self._function_directory = function_directory
        self._trace = _TraceContext()

    @property
    def invocation_id(self) -> str:
        """The invocation id, also in the Executed log line."""
        return self._invocation_id

    @property
    def thread_local_storage(self) -> Any:
        """Thread-local storage whose `invocation_id` names the running invocation."""
        return _THREAD_LOCAL

    @property
    def function_name(self) -> str:
        """The function's name."""
        return self._function_name

    @property
    def function_directory(self) -> str:
        """The app directory."""
        return self._function_directory

    @property
    def trace_context(self) -> func_abc.TraceContext:
        """Distributed tracing context."""
        return self._trace

    @property
    def retry_context(self) -> func_abc.RetryContext:
        """Retry context (always the first try)."""
        return _RetryContext()


def set_current_invocation(invocation_id: str | None) -> None:
    """Record the running invocation id in this thread's storage, as the worker does."""
    _THREAD_LOCAL.invocation_id = invocation_id


def _message_body(item: Any) -> bytes:
    if isinstance(item, str):
        return item.encode("utf-8")
    if isinstance(item, bytes | bytearray):
        return bytes(item)
    if isinstance(item, func.QueueMessage):
        return item.get_body()
    raise TypeError(f"Invalid queue output value of type {type(item).__name__}")


def queue_bodies(value: Any) -> list[bytes]:
    """Message bodies for a queue output value: str, bytes, QueueMessage or a list of them."""
    if value is None:
        return []
    if isinstance(value, str | bytes | bytearray | func.QueueMessage):
        return [_message_body(value)]
    if isinstance(value, Iterable):
        return [_message_body(item) for item in value]
    raise TypeError(f"Invalid queue output value of type {type(value).__name__}")
