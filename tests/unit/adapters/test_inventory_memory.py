from tests.contracts.inventory_contract import InventoryContract
from tests.contracts.inventory_store_contract import InventoryStoreContract


class TestInventoryOnMemoryTables(InventoryContract):
    pass


class TestInventoryStoreOnMemoryTables(InventoryStoreContract):
    pass
