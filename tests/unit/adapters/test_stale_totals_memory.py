from tests.contracts.stale_totals_contract import StaleTotalsContract


class TestStaleTotalsOnMemoryTables(StaleTotalsContract):
    pass
