import pytest

from adapters.storage.memory_table import MemoryTable
from tests.contracts.inventory_contract import InventoryContract
from tests.contracts.inventory_store_contract import InventoryStoreContract
from tests.support.ids import random_name


@pytest.fixture
def make_table():
    def make() -> MemoryTable:
        table = MemoryTable(random_name("t"))
        table.create()
        return table

    return make


class TestInventoryOnMemoryTables(InventoryContract):
    pass


class TestInventoryStoreOnMemoryTables(InventoryStoreContract):
    pass
