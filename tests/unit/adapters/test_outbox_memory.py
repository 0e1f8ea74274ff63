import pytest

from adapters.storage.memory_table import MemoryTableService
from tests.contracts.outbox_contract import OutboxContract


class TestOutboxOnMemoryTables(OutboxContract):
    @pytest.fixture
    def tables(self):
        return MemoryTableService().table

    @pytest.fixture
    def source_table(self, tables):
        table = tables("Orders")
        table.create()
        return table
