"""Fixtures for the operations tests: media and the search index in the test's own directory."""

import socket

import pytest

from operations.sites import make_site, migrated  # noqa: F401  clipdesk sites in processes


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLIPDESK_SEARCH_DIR = tmp_path / "search"
    return settings.MEDIA_ROOT


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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
