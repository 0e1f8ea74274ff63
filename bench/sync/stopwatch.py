"""Time spent inside the sync's endpoint calls: the F&O round trips, apart from the engine."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from services.sync.ports import SyncEndpoint

EndpointFactory = Callable[[str], SyncEndpoint | None]


@dataclass
class Stopwatch:
    """Seconds and calls accumulated across every timed endpoint call."""

    seconds: float = 0.0
    calls: int = 0


class TimedEndpoint:
    """Forwards every method to the endpoint it wraps, adding each call's time to a stopwatch.

    It forwards by name rather than restating the SyncEndpoint protocol, so it keeps working
    when the protocol gains a method.
    """

    def __init__(self, inner: SyncEndpoint, watch: Stopwatch) -> None:
        self._inner, self._watch = inner, watch

    def __getattr__(self, name: str) -> Any:
        """The wrapped endpoint's attribute; methods come back timed."""
        found = getattr(self._inner, name)
        if not callable(found):
            return found
        watch = self._watch

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return found(*args, **kwargs)
            finally:
                watch.seconds += time.perf_counter() - started
                watch.calls += 1

        return timed


def timed_endpoints(endpoints: EndpointFactory, watch: Stopwatch) -> EndpointFactory:
    """The same endpoint factory, its endpoints timed."""

    def factory(system: str) -> SyncEndpoint | None:
        endpoint = endpoints(system)
        return None if endpoint is None else cast(SyncEndpoint, TimedEndpoint(endpoint, watch))

    return factory
