from tests.contracts.sync_store_contract import SyncStoreContract


class TestSyncStoresOnMemoryTables(SyncStoreContract):
    pass
