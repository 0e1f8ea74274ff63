"""Health probes of the storage account, behind the services' StorageProbe port."""

from __future__ import annotations

from adapters.storage.azure_table import AzureTableService
from adapters.storage.queues import StorageQueuePublisher
from services.health import ProbeResult


class StorageServiceProbe:
    """Asks Table Storage and Storage Queues whether they answer, with short timeouts."""

    def __init__(self, tables: AzureTableService, queues: StorageQueuePublisher) -> None:
        self._tables = tables
        self._queues = queues

    def probe_table(self, name: str) -> ProbeResult:
        """Query one row of the table."""
        ok = self._tables.probe(name)
        return ProbeResult("table", name, ok, "" if ok else "no answer or table missing")

    def probe_queue(self, name: str) -> ProbeResult:
        """Read the queue's properties."""
        ok = self._queues.probe(name)
        return ProbeResult("queue", name, ok, "" if ok else "no answer or queue missing")
