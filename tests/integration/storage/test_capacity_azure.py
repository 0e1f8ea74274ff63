import pytest

from adapters.storage.azure_table import AzureTable, AzureTableService
from tests.contracts.capacity_contract import CapacityContract
from tests.support.ids import random_name

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def service(azurite):
    service = AzureTableService.from_connection_string(azurite.connection_string)
    yield service
    service.close()


class TestAzureCapacity(CapacityContract):
    @pytest.fixture
    def make_table(self, service):
        def make() -> AzureTable:
            table = service.table(random_name("cap"))
            table.create()
            return table

        return make
