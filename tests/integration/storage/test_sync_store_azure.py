import pytest

from tests.contracts.sync_store_contract import SyncStoreContract

pytestmark = pytest.mark.integration


class TestSyncStoresOnAzurite(SyncStoreContract):
    pass
