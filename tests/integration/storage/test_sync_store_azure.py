import pytest

from adapters.storage.azure_table import AzureTable, AzureTableService
from tests.contracts.sync_store_contract import SyncStoreContract
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


class TestSyncStoresOnAzurite(SyncStoreContract):
    pass
