import pytest

from tests.contracts.watchlist_contract import WatchlistContract

pytestmark = pytest.mark.integration


class TestWatchlistOnAzurite(WatchlistContract):
    pass
