"""The subscription tests' site: absolute links on a known base URL, mail to the real SMTP server of
tests/conftest.py (which can also refuse), and a database cache shared like the one production uses."""

from urllib.parse import urlsplit

import pytest

from support import free_port

BASE_URL = "https://clips.example.org"


@pytest.fixture
def smtp_down(settings, smtp):
    """Point the backend at a loopback port where nothing listens; call it to bring the server back."""
    working = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()

    def back_up():
        settings.EMAIL_PORT = working

    return back_up


@pytest.fixture(autouse=True)
def site(settings, shared_cache):
    """Absolute links on a known base URL, and the database cache every process would share."""
    settings.CLIPDESK_BASE_URL = BASE_URL
    settings.DEFAULT_FROM_EMAIL = "digests@clips.example.org"


def path_of(url: str) -> str:
    """The site-relative path of an absolute link on the test site."""
    assert url.startswith(BASE_URL + "/"), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
