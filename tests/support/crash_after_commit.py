"""Commit a state change with one outbox message, then die before the relay runs (SIGKILL).

Usage: python -m tests.support.crash_after_commit CONNECTION TABLE PARTITION MESSAGE_ID QUEUE
"""

import os
import signal
import sys

from adapters.clock import SystemClock
from adapters.storage.azure_table import AzureTableService
from adapters.storage.entities import Entity, Upsert
from adapters.storage.outbox import INDEX_TABLE, TableOutbox
from services.outbox import OutboxMessage


def main(connection: str, table_name: str, partition: str, message_id: str, queue: str) -> None:
    tables = AzureTableService.from_connection_string(connection)
    tables.create_tables([table_name, INDEX_TABLE])
    clock = SystemClock()
    message = OutboxMessage(
        message_id=message_id, queue=queue, type="OrderReceived",
        data={"orderId": partition}, occurred_at=clock.now(),
    )  # fmt: skip
    state = Upsert(Entity(partition, "header", {"Status": "New"}))
    TableOutbox(tables.table, clock).stage(tables.table(table_name), partition, [state], [message])
    # Committed; the relay would run next. Die the hard way, as a crashed worker does.
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main(*sys.argv[1:6])
