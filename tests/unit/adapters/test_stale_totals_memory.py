import pytest

from adapters.storage.memory_table import MemoryTable
from tests.contracts.stale_totals_contract import StaleTotalsContract
from tests.support.ids import random_name


@pytest.fixture
def make_table():
    def make() -> MemoryTable:
        table = MemoryTable(random_name("t"))
        table.create()
        return table

    return make


class TestStaleTotalsOnMemoryTables(StaleTotalsContract):
    pass
