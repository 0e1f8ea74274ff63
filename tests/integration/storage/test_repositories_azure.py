import pytest

from adapters.storage.azure_table import AzureTable, AzureTableService
from tests.contracts.config_repository_contract import ConfigRepositoryContract
from tests.contracts.order_repository_contract import OrderRepositoryContract, TableScanContract
from tests.support.ids import random_name

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def service(azurite):
    service = AzureTableService.from_connection_string(azurite.connection_string)
    yield service
    service.close()


@pytest.fixture
def make_table(service):
    def make() -> AzureTable:
        table = service.table(random_name("t"))
        table.create()
        return table

    return make


class TestOrderRepositoryOnAzurite(OrderRepositoryContract):
    @pytest.fixture
    def tables(self, storage_connection):
        # A service per test: request counts start at zero and no test shares a table.
        return AzureTableService.from_connection_string(storage_connection).table


class TestConfigRepositoriesOnAzurite(ConfigRepositoryContract):
    pass


class TestScanOnAzurite(TableScanContract):
    pass
