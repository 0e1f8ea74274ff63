import pytest

from adapters.storage.memory_table import MemoryTable
from tests.contracts.backorder_index_contract import BackorderIndexContract
from tests.contracts.job_log_contract import JobLogContract
from tests.support.ids import random_name


@pytest.fixture
def make_table():
    def make() -> MemoryTable:
        table = MemoryTable(random_name("t"))
        table.create()
        return table

    return make


class TestBackorderIndexOnMemoryTables(BackorderIndexContract):
    pass


class TestJobLogOnMemoryTables(JobLogContract):
    pass
