import pytest

from tests.contracts.purchasing_repository_contract import PurchasingRepositoryContract

pytestmark = pytest.mark.integration


class TestPurchasingRepositoriesOnAzurite(PurchasingRepositoryContract):
    pass
