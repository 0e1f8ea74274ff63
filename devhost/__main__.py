"""`python -m devhost`: run a Functions app locally, as `func start` would."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from devhost.config import ConfigError
from devhost.host import Host
from devhost.loader import FunctionLoadError
from devhost.routes import RouteError

logger = logging.getLogger("devhost")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m devhost", description=__doc__)
    parser.add_argument("--app-dir", type=Path, default=Path("."), help="folder of function_app.py")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=7071, help="HTTP port")
    return parser.parse_args(argv)


def configure_logging() -> None:
    """Timestamped INFO logs on stderr; werkzeug's per-request lines are silenced."""
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s] %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("azure").setLevel(logging.WARNING)


def print_banner(host: Host) -> None:
    """The Core Tools-like list of functions."""
    print("\nFunctions:\n", flush=True)
    for line in host.describe():
        print(f"\t{line}\n", flush=True)
    for name in host.disabled:
        print(f"\t{name}: disabled\n", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Start the host, wait for SIGINT/SIGTERM, stop gracefully."""
    args = parse_args(argv)
    configure_logging()
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("Received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        host = Host(args.app_dir, args.host, args.port)
    except (ConfigError, FunctionLoadError, RouteError, OSError) as err:
        logger.error("Cannot start: %s", err)  # noqa: TRY400 - a config error needs no traceback
        return 1
    except Exception:
        logger.exception("Cannot start: loading the app failed")
        return 1
    host.start()
    print_banner(host)
    logger.info("Host started on http://%s:%s", args.host, host.port)
    while not stop.wait(0.5):
        pass
    if host.stop():
        logger.info("Host stopped")
        return 0
    # Threads still running user code cannot be killed; leave without waiting for them.
    logging.shutdown()
    os._exit(1)


if __name__ == "__main__":
    sys.exit(main())
