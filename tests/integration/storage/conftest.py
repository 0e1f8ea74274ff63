"""Table fixtures shared by the storage contract suites on Azurite."""

from collections.abc import Callable, Iterator

import pytest

from adapters.storage.azure_table import AzureTable, AzureTableService
from tests.support.azurite import Azurite
from tests.support.ids import random_name


@pytest.fixture(scope="module")
def service(azurite: Azurite) -> Iterator[AzureTableService]:
    """One table service client per test module."""
    service = AzureTableService.from_connection_string(azurite.connection_string)
    yield service
    service.close()


@pytest.fixture
def make_table(service: AzureTableService) -> Callable[[], AzureTable]:
    """Creates a fresh, uniquely named table for each call."""

    def make() -> AzureTable:
        table = service.table(random_name("t"))
        table.create()
        return table

    return make
