"""Fixtures for the operations tests: media and the search index in the test's own directory."""

import pytest

from operations.sites import make_site, migrated  # noqa: F401  clipdesk sites in processes
from support import free_port


@pytest.fixture(autouse=True)
def _own_directories(media_root, search_dir):
    """Media and the search index in the test's own directory."""


@pytest.fixture(autouse=True)
def fresh_model_probe():
    """Each test looks at the model files itself, whatever an earlier test found."""
    from clipdesk.operations import health

    health.forget_models()
    yield
    health.forget_models()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    return free_port()
