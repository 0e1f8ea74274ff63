"""The hub on devhost and the five simulators in-process, wired the way `make run` wires them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from demo.world import SETTINGS, Urls, World, prepare, simulator_env
from simulators.__main__ import SIMULATORS
from simulators.server import serve
from tests.support.azurite import ROOT, Azurite, free_port
from tests.support.host_process import start_host


@contextmanager
def running_world(azurite: Azurite, log_path: Path) -> Iterator[World]:
    """Start the host and simulators on free ports, prepare them, yield the world, stop all."""
    env = {
        "AzureWebJobsStorage": azurite.connection_string, "OUTBOX_SWEEP_GRACE_SECONDS": "0",
        **SETTINGS,
    }  # fmt: skip
    host = start_host(ROOT, env, log_path)
    ports = {name: free_port() for name in SIMULATORS}
    urls = Urls(
        hub=host.base_url, bigcommerce=f"http://127.0.0.1:{ports['bigcommerce']}",
        flexe=f"http://127.0.0.1:{ports['flexe']}", fno=f"http://127.0.0.1:{ports['fno']}",
        sap=f"http://127.0.0.1:{ports['sap']}", sales=f"http://127.0.0.1:{ports['sales']}",
    )  # fmt: skip
    sim_env = simulator_env(urls)
    servers = [serve(sim.factory(sim_env), ports[name]) for name, sim in SIMULATORS.items()]
    world = World(urls)
    try:
        prepare(world)
        yield world
    finally:
        world.close()
        for server, thread in servers:
            server.shutdown()
            thread.join()
        host.stop()
