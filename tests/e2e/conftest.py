from collections.abc import Iterator

import pytest

from tests.support.azurite import ROOT, Azurite
from tests.support.host_process import HostProcess, start_host


@pytest.fixture(scope="module")
def app_host(azurite: Azurite, tmp_path_factory) -> Iterator[HostProcess]:
    """The real app on devhost, over the session's Azurite, with no sweeper grace period."""
    env = {"AzureWebJobsStorage": azurite.connection_string, "OUTBOX_SWEEP_GRACE_SECONDS": "0"}
    host = start_host(ROOT, env, tmp_path_factory.mktemp("host") / "host.log")
    yield host
    host.stop()
