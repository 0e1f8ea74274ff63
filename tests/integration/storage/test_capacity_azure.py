import pytest

from adapters.storage.azure_table import AzureTable
from tests.contracts.capacity_contract import CapacityContract
from tests.support.ids import random_name

pytestmark = pytest.mark.integration


class TestAzureCapacity(CapacityContract):
    @pytest.fixture
    def make_table(self, service):
        def make() -> AzureTable:
            table = service.table(random_name("cap"))
            table.create()
            return table

        return make
