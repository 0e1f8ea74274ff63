"""Run the simulators on loopback: `python -m simulators [--bigcommerce-port 7081] ...`.

Table-driven: each entry of SIMULATORS names a simulator, its default port and a factory that
builds its WSGI app from the environment; each gets a `--<name>-port` option (0 = do not start).
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulators.bigcommerce.app import BigCommerceSimulator
from simulators.bigcommerce.callbacks import WebhookConfig
from simulators.flexe.app import DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET, FlexeSimulator
from simulators.fno.app import FnoSimulator
from simulators.sales.app import SalesSimulator
from simulators.sap.app import DEFAULT_PASSWORD, DEFAULT_USERNAME, SapSimulator
from simulators.server import base_url, serve

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

logger = logging.getLogger("simulators")


@dataclass(frozen=True)
class Simulator:
    """How to start one simulator: its default port and an app factory over the environment."""

    default_port: int
    factory: Callable[[Mapping[str, str]], WSGIApplication]


def bigcommerce(env: Mapping[str, str]) -> WSGIApplication:
    """The BigCommerce simulator, configured by BIGCOMMERCE_SIM_* variables."""
    header = env.get("BIGCOMMERCE_SIM_WEBHOOK_HEADER", "X-Hub-Webhook-Secret")
    secret = env.get("BIGCOMMERCE_SIM_WEBHOOK_SECRET", "")
    webhooks = WebhookConfig(
        destination=env.get("BIGCOMMERCE_SIM_WEBHOOK_URL") or None,
        headers={header: secret} if secret else {},
        signing_secret=env.get("BIGCOMMERCE_SIM_SIGNING_SECRET") or None,
    )
    return BigCommerceSimulator(
        env.get("BIGCOMMERCE_SIM_STORE_HASH", "simstore"),
        env.get("BIGCOMMERCE_SIM_TOKEN", "sim-token"),
        webhooks=webhooks,
    )


def flexe(env: Mapping[str, str]) -> WSGIApplication:
    """The Flexe simulator, configured by FLEXE_SIM_* variables."""
    return FlexeSimulator(
        api_key=env.get("FLEXE_SIM_API_KEY", DEFAULT_API_KEY),
        webhook_secret=env.get("FLEXE_SIM_WEBHOOK_SECRET", DEFAULT_WEBHOOK_SECRET),
        webhook_url=env.get("FLEXE_SIM_WEBHOOK_URL") or None,
    )


def sap(env: Mapping[str, str]) -> WSGIApplication:
    """The SAP S/4HANA simulator, configured by SAP_SIM_* variables."""
    return SapSimulator(
        username=env.get("SAP_SIM_USERNAME", DEFAULT_USERNAME),
        password=env.get("SAP_SIM_PASSWORD", DEFAULT_PASSWORD),
    )


SIMULATORS: dict[str, Simulator] = {
    "bigcommerce": Simulator(default_port=7081, factory=bigcommerce),
    "flexe": Simulator(default_port=7083, factory=flexe),
    "fno": Simulator(default_port=7084, factory=FnoSimulator.from_env),
    "sap": Simulator(default_port=7085, factory=sap),
    "sales": Simulator(default_port=7086, factory=SalesSimulator.from_env),
}


def main(argv: list[str] | None = None) -> None:
    """Start every simulator whose port is not 0 and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulators", description=__doc__)
    for name, simulator in SIMULATORS.items():
        parser.add_argument(
            f"--{name}-port", type=int, default=simulator.default_port, dest=f"{name}_port"
        )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    servers = []
    for name, simulator in SIMULATORS.items():
        port = getattr(args, f"{name}_port")
        if port == 0:
            continue
        server, thread = serve(simulator.factory(os.environ), port)
        servers.append((server, thread))
        logger.info("%s simulator on %s", name, base_url(server))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for server, thread in servers:
            server.shutdown()
            thread.join()


if __name__ == "__main__":
    main()
