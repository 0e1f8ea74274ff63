import pytest

from tests.contracts.stale_totals_contract import StaleTotalsContract

pytestmark = pytest.mark.integration


class TestStaleTotalsOnAzurite(StaleTotalsContract):
    pass
