"""`clipdesk serve` runs gunicorn believing forwarded headers from the configured proxies only, and
without gunicorn's shared control socket. Each test asks a real `clipdesk serve` over HTTP."""

import pytest

from operations.servers import stop_process
from operations.sites import Served

PRODUCTION = {
    "CLIPDESK_ENV": "production",
    "CLIPDESK_SECRET_KEY": "a-test-secret-key-that-is-long-enough-for-production-use-0123456789",
    "CLIPDESK_ALLOWED_HOSTS": "127.0.0.1",
    "CLIPDESK_BASE_URL": "https://clips.example.org",
    "CLIPDESK_SSL_REDIRECT": "1",
    "CLIPDESK_STRIPE_SECRET_KEY": "sk_test_unused",
    "CLIPDESK_STRIPE_WEBHOOK_SECRET": "whsec_unused",
}


@pytest.fixture
def serve(make_site, tmp_path):
    started = []

    def start(**env: str) -> Served:
        home = tmp_path / f"home{len(started)}"
        home.mkdir()
        site = make_site(HOME=str(home), **env)
        site.env["DATABASE_URL"] = f"sqlite:///{site.var / 'clipdesk.sqlite3'}"  # production names it
        started.append(Served(site))
        return started[-1]

    yield start
    for served in started:
        stop_process(served.process)


def test_a_local_client_cannot_claim_https_with_a_forwarded_header(serve):
    """With no trusted proxies, X-Forwarded-Proto from 127.0.0.1 is ignored by gunicorn too, so the
    production site still redirects plain HTTP to HTTPS (and never marks the request secure)."""
    served = serve(**PRODUCTION)
    plain = served.get("/api/topics")
    claimed = served.get("/api/topics", **{"X-Forwarded-Proto": "https"})
    assert plain.status == 301
    assert claimed.status == 301, "a forwarded header from an untrusted address was believed"
    assert claimed.headers["location"] == f"https://127.0.0.1:{served.port}/api/topics"


def test_the_configured_proxy_may_say_https(serve):
    served = serve(**PRODUCTION, CLIPDESK_TRUSTED_PROXIES="127.0.0.1")
    assert served.get("/api/topics", **{"X-Forwarded-Proto": "https"}).status == 200
    assert served.get("/api/topics").status == 301


def test_serve_makes_no_control_socket_in_the_home_directory(serve, tmp_path):
    serve()
    assert not list((tmp_path / "home0").rglob("*")), "gunicorn wrote into the home directory"
