import pytest

from adapters.storage.memory_table import MemoryTable
from tests.contracts.purchasing_repository_contract import PurchasingRepositoryContract
from tests.support.ids import random_name


class TestPurchasingRepositoriesOnMemoryTables(PurchasingRepositoryContract):
    @pytest.fixture
    def make_table(self):
        def make() -> MemoryTable:
            table = MemoryTable(random_name("t"))
            table.create()
            return table

        return make
