"""Operating the site: the shared cache, forwarded headers from trusted proxies only."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from clipdesk.operations.proxies import TrustedProxyMiddleware

pytestmark = pytest.mark.django_db


def test_the_default_cache_is_the_shared_database_table():
    cache.set("clipdesk-test", 41)
    assert cache.get("clipdesk-test") == 41
    from django.db import connection

    assert "clipdesk_cache" in connection.introspection.table_names()


def _seen(meta: dict, trusted: list[str]) -> tuple[str, bool]:
    with override_settings(CLIPDESK_TRUSTED_PROXIES=trusted):
        middleware = TrustedProxyMiddleware(
            lambda request: (request.META["REMOTE_ADDR"], request.is_secure())
        )
        return middleware(RequestFactory().get("/", **meta))


def test_forwarded_headers_are_believed_only_from_trusted_proxies():
    forged = {
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_X_FORWARDED_FOR": "10.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    assert _seen(forged, trusted=["127.0.0.1"]) == ("203.0.113.9", False)
    via_proxy = {
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "198.51.100.7, 127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    assert _seen(via_proxy, trusted=["127.0.0.1"]) == ("198.51.100.7", True)
    spoofed_chain = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"}
    assert _seen(spoofed_chain, trusted=["127.0.0.1"])[0] == "198.51.100.7"
