"""Table fixtures shared by the storage contract suites on the in-memory tables."""

from collections.abc import Callable

import pytest

from adapters.storage.memory_table import MemoryTable
from tests.support.ids import random_name


@pytest.fixture
def make_table() -> Callable[[], MemoryTable]:
    """Creates a fresh, uniquely named in-memory table for each call."""

    def make() -> MemoryTable:
        table = MemoryTable(random_name("t"))
        table.create()
        return table

    return make
