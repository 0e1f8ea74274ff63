import pytest

from adapters.storage.memory_table import MemoryTable, MemoryTableService
from tests.contracts.table_contract import TableContract
from tests.support.ids import random_name


class TestMemoryTable(TableContract):
    @pytest.fixture
    def make_table(self):
        def make(create: bool = True) -> MemoryTable:
            table = MemoryTable(random_name("t"))
            if create:
                table.create()
            return table

        return make


class TestMemoryTableService:
    def test_names_are_case_insensitive_and_tables_shared(self):
        service = MemoryTableService()
        service.create_tables(["Orders"])
        assert service.table("orders") is service.table("Orders")
        assert service.probe("ORDERS")

    def test_a_table_not_created_does_not_answer_a_probe(self):
        assert not MemoryTableService().probe("Missing")

    @pytest.mark.parametrize("name", ["ab", "1abc", "has-dash", "tables", "x" * 64])
    def test_invalid_table_names_are_refused(self, name):
        with pytest.raises(ValueError, match="table name"):
            MemoryTableService().table(name)
