import pytest

from adapters.storage.azure_table import AzureTableService
from tests.contracts.outbox_contract import OutboxContract
from tests.support.ids import random_name

pytestmark = pytest.mark.integration


class TestOutboxOnAzurite(OutboxContract):
    @pytest.fixture
    def tables(self, storage_connection):
        return AzureTableService.from_connection_string(storage_connection).table

    @pytest.fixture
    def source_table(self, tables):
        table = tables(random_name("Orders"))
        table.create()
        return table
