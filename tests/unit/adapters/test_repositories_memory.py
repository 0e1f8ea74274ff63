import pytest

from adapters.storage.memory_table import MemoryTable, MemoryTableService
from tests.contracts.config_repository_contract import ConfigRepositoryContract
from tests.contracts.order_repository_contract import OrderRepositoryContract, TableScanContract
from tests.support.ids import random_name


class TestOrderRepositoryOnMemoryTables(OrderRepositoryContract):
    @pytest.fixture
    def tables(self):
        return MemoryTableService().table


class TestConfigRepositoriesOnMemoryTables(ConfigRepositoryContract):
    @pytest.fixture
    def make_table(self):
        def make() -> MemoryTable:
            table = MemoryTable(random_name("t"))
            table.create()
            return table

        return make


class TestScanOnMemoryTable(TableScanContract):
    @pytest.fixture
    def make_table(self):
        def make() -> MemoryTable:
            table = MemoryTable(random_name("t"))
            table.create()
            return table

        return make
