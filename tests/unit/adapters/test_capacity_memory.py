import pytest

from adapters.storage.memory_table import MemoryTable
from tests.contracts.capacity_contract import CapacityContract
from tests.support.ids import random_name


class TestMemoryCapacity(CapacityContract):
    @pytest.fixture
    def make_table(self):
        def make() -> MemoryTable:
            table = MemoryTable(random_name("cap"))
            table.create()
            return table

        return make
