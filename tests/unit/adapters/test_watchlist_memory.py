import pytest

from adapters.storage.memory_table import MemoryTable
from tests.contracts.watchlist_contract import WatchlistContract
from tests.support.ids import random_name


@pytest.fixture
def make_table():
    def make() -> MemoryTable:
        table = MemoryTable(random_name("t"))
        table.create()
        return table

    return make


class TestWatchlistOnMemoryTables(WatchlistContract):
    pass
