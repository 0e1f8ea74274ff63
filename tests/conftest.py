import os
from collections.abc import Iterator

import pytest

from tests.support.azurite import Azurite, start_azurite


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """A session-wide Azurite; skipped (or failed under REQUIRE_AZURITE=1) when unavailable."""
    try:
        instance = start_azurite()
    except FileNotFoundError as err:
        if os.environ.get("REQUIRE_AZURITE") == "1":
            pytest.fail(str(err))
        pytest.skip(f"Azurite unavailable: {err}")
    yield instance
    instance.stop()


@pytest.fixture
def storage_connection(azurite: Azurite) -> str:
    return azurite.connection_string
