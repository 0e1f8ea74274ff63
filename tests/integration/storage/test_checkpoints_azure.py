from collections.abc import Callable, Iterator

import pytest

from adapters.storage.azure_table import AzureTable, AzureTableService
from tests.support.azurite import Azurite
from tests.support.ids import random_name
from tests.unit.adapters.test_checkpoints_memory import CheckpointContract

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def service(azurite: Azurite) -> Iterator[AzureTableService]:
    service = AzureTableService.from_connection_string(azurite.connection_string)
    yield service
    service.close()


class TestAzureCheckpoints(CheckpointContract):
    @pytest.fixture
    def make_table(self, service: AzureTableService) -> Callable[[], AzureTable]:
        def make() -> AzureTable:
            table = service.table(random_name("ckpt"))
            table.create()
            return table

        return make
