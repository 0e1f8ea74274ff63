"""The benchmark's hub and F&O: the app's own wiring over in-memory storage, a live simulator.

The container is the composition root's (`bootstrap.container.build_container`), so the sync
runs through the same SyncWiring, provider registry and F&O client as in production; only the
two storage factories are swapped for in-memory ones while it is built, so the figures are the
engine's and not Azurite's. The F&O simulator is served on loopback in this process and the
sync reaches it over real HTTP.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

import httpx

from adapters.storage.azure_table import AzureTableService
from adapters.storage.memory_table import MemoryTableService
from adapters.storage.queues import StorageQueuePublisher
from bench.sync.stopwatch import Stopwatch
from bootstrap.container import TABLES, Container, build_container
from bootstrap.settings import Settings
from services.providers.catalog import InstallProvider
from simulators.fno.app import FnoSimulator
from simulators.server import serve

TENANT, CLIENT_ID, COMPANY = "contoso", "hub-app", "usmf"
SECRET_SETTING = "BENCH_SYNC_FNO_SECRET"  # the app setting the provider's connection names
SECRET = "bench-sync-secret"
HOST = "127.0.0.1"


@dataclass
class MemoryQueues:
    """A MessagePublisher that counts what the hub publishes instead of queueing it."""

    published: Counter[str] = field(default_factory=Counter)

    def create_queues(self, names: Iterable[str]) -> None:
        """Nothing to create: every queue exists."""

    def publish(self, queue: str, body: str, delay_seconds: int = 0) -> None:
        """Count the message; nobody consumes it in the benchmark."""
        del body, delay_seconds
        self.published[queue] += 1


@dataclass
class World:
    """The hub's container over in-memory tables and the F&O simulator it syncs to."""

    container: Container
    tables: MemoryTableService
    queues: MemoryQueues
    fno: FnoSimulator
    fno_url: str
    endpoint_time: Stopwatch = field(default_factory=Stopwatch)  # in the sync's F&O calls

    def storage_requests(self) -> Counter[str]:
        """Table requests served so far, per table the app uses."""
        return Counter({name: self.tables.table(name).request_count for name in TABLES})

    def refuse_items(self, items: Iterable[str]) -> None:
        """Withhold items from release in F&O, as its admin would (lines with them are refused)."""
        response = httpx.post(
            f"{self.fno_url}/_admin/items/unreleased", json={"items": sorted(items)}
        )
        response.raise_for_status()


@contextmanager
def open_world() -> Iterator[World]:
    """A hub with F&O activated against a simulator on a free loopback port; stopped on exit."""
    port = _free_port()
    url = f"http://{HOST}:{port}"
    fno = FnoSimulator(TENANT, CLIENT_ID, SECRET, environment_url=url, default_company=COMPANY)
    server, thread = serve(fno, port)
    try:
        # The provider's connection names an app setting; the registry reads it from os.environ.
        with mock.patch.dict(os.environ, {SECRET_SETTING: SECRET}):
            tables, queues = MemoryTableService(), MemoryQueues()
            container = _memory_container(tables, queues)
            _activate_fno(container, url)
            yield World(container, tables, queues, fno, url)
    finally:
        server.shutdown()
        thread.join()


def _memory_container(tables: MemoryTableService, queues: MemoryQueues) -> Container:
    """The app's container with its table service and queue publisher in memory."""
    # The composition root takes a connection string only; swapping the two factories while it
    # runs keeps every other piece of the wiring exactly as the app builds it.
    with (
        mock.patch.object(AzureTableService, "from_connection_string", return_value=tables),
        mock.patch.object(StorageQueuePublisher, "from_connection_string", return_value=queues),
    ):
        return build_container(Settings(storage_connection="in-memory"))


def _activate_fno(container: Container, url: str) -> None:
    """Install and activate the F&O provider; its client secret comes from an app setting."""
    parameters = {
        "baseUrl": url, "tokenUrl": url, "tenant": TENANT, "clientId": CLIENT_ID,
        "dataAreaId": COMPANY,
    }  # fmt: skip
    command = InstallProvider(
        definition_id="fno", name="F&O (benchmark)", parameters=parameters,
        connections={"clientSecret": SECRET_SETTING},
    )  # fmt: skip
    container.providers.activate(container.providers.install(command).instance_id)


def _free_port() -> int:
    """A loopback port nobody listens on (the simulator's URL must be known before it starts)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])
