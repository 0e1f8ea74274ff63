import pytest

from tests.contracts.backorder_index_contract import BackorderIndexContract
from tests.contracts.job_log_contract import JobLogContract

pytestmark = pytest.mark.integration


class TestBackorderIndexOnAzurite(BackorderIndexContract):
    pass


class TestJobLogOnAzurite(JobLogContract):
    pass
