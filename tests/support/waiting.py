"""Poll for an eventual condition instead of sleeping a fixed time."""

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float = 20, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
