from tests.contracts.backorder_index_contract import BackorderIndexContract
from tests.contracts.job_log_contract import JobLogContract


class TestBackorderIndexOnMemoryTables(BackorderIndexContract):
    pass


class TestJobLogOnMemoryTables(JobLogContract):
    pass
