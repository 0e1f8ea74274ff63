import pytest

from adapters.storage.azure_table import AzureTableService
from tests.contracts.config_repository_contract import ConfigRepositoryContract
from tests.contracts.order_repository_contract import OrderRepositoryContract, TableScanContract

pytestmark = pytest.mark.integration


class TestOrderRepositoryOnAzurite(OrderRepositoryContract):
    @pytest.fixture
    def tables(self, storage_connection):
        # A service per test: request counts start at zero and no test shares a table.
        return AzureTableService.from_connection_string(storage_connection).table


class TestConfigRepositoriesOnAzurite(ConfigRepositoryContract):
    pass


class TestScanOnAzurite(TableScanContract):
    pass
