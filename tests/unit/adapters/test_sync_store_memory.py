import pytest

from adapters.storage.memory_table import MemoryTable
from tests.contracts.sync_store_contract import SyncStoreContract
from tests.support.ids import random_name


@pytest.fixture
def make_table():
    def make() -> MemoryTable:
        table = MemoryTable(random_name("t"))
        table.create()
        return table

    return make


class TestSyncStoresOnMemoryTables(SyncStoreContract):
    pass
