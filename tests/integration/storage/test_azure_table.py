import pytest

from adapters.storage.azure_table import AzureTable, AzureTableService
from tests.contracts.table_contract import TableContract
from tests.support.azurite import connection_string, free_port
from tests.support.ids import random_name

pytestmark = pytest.mark.integration


class TestAzureTable(TableContract):
    @pytest.fixture
    def make_table(self, service):
        def make(create: bool = True) -> AzureTable:
            table = service.table(random_name("t"))
            if create:
                table.create()
            return table

        return make


class TestAzureTableService:
    def test_tables_are_cached_per_name_whatever_the_case(self, service):
        name = random_name("T")
        assert service.table(name) is service.table(name.lower())

    def test_probe_answers_for_a_created_table_only(self, service):
        name = random_name("t")
        assert not service.probe(name)
        service.create_tables([name, name])
        assert service.probe(name)

    def test_probe_of_an_unreachable_account_is_false(self):
        dead = AzureTableService.from_connection_string(connection_string(*[free_port()] * 3))
        assert not dead.probe("Anything", timeout=1)

    @pytest.mark.parametrize("name", ["ab", "1abc", "has-dash", "tables"])
    def test_invalid_table_names_are_refused(self, service, name):
        with pytest.raises(ValueError, match="table name"):
            service.table(name)
