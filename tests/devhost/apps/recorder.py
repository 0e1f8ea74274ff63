"""Lets test apps record what they saw in the Azurite table named by EFFECTS_TABLE.

The harness puts this folder on PYTHONPATH; the apps themselves need nothing devhost-specific.
"""

import os
import uuid
from typing import Any

from azure.data.tables import TableClient


def record(kind: str, **fields: Any) -> None:
    """Store one effect row: PartitionKey = kind, the fields as properties."""
    connection = os.environ["AzureWebJobsStorage"]  # noqa: SIM112 - the Functions setting name
    table = TableClient.from_connection_string(connection, os.environ["EFFECTS_TABLE"])
    with table:
        table.create_entity({"PartitionKey": kind, "RowKey": uuid.uuid4().hex, **fields})
