"""pytest fixtures: `mock_sts`, a fresh mock-sts for each test (so a scenario switch never leaks into the next
test), sharing one state directory per session (keys are made once; each start then takes milliseconds)."""
import pytest

from mock_sts import start


@pytest.fixture(scope="session")
def mock_sts_state_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("mock-sts-state")


@pytest.fixture
def mock_sts(mock_sts_state_dir):
    server = start(state_dir=mock_sts_state_dir)  # https, a free port, scenario healthy
    yield server
    server.stop()
