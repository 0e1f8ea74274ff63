from tests.contracts.watchlist_contract import WatchlistContract


class TestWatchlistOnMemoryTables(WatchlistContract):
    pass
