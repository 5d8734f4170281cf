"""The cache in front of clipdesk, purged by surrogate key after each change commits.

`CLIPDESK_PURGER` names a class by dotted path (none by default: nothing is in front). A purger is any
class with `purge(keys)`; `VarnishPurger` sends xkey purges to Varnish (`deploy/varnish/clipdesk.vcl`),
and a CDN's purge-by-tag API fits the same interface (docs/deploy.md, "A CDN in front").
"""

import http.client
from collections.abc import Iterable
from functools import cache
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = ["PurgeError", "Purger", "VarnishPurger", "configured"]

# Varnish's xkey purges every key named in the header; a long list is sent in several requests.
KEYS_PER_REQUEST = 100


class PurgeError(Exception):
    """A purge that did not happen; the message says where and why."""


class Purger(Protocol):
    def purge(self, keys: Iterable[str]) -> None:
        """Remove from the cache every response carrying any of these surrogate keys, or raise PurgeError."""


class VarnishPurger:
    """`PURGE /` with `xkey-purge: KEY KEY ...` to each Varnish in CLIPDESK_VARNISH_URLS.

    The VCL answers 200 with the number of objects purged, and accepts purges only from its ACL.
    """

    def __init__(self, urls: Iterable[str] | None = None, timeout: float | None = None):
        self.urls = list(settings.CLIPDESK_VARNISH_URLS if urls is None else urls)
        self.timeout = settings.CLIPDESK_PURGE_TIMEOUT if timeout is None else timeout
        if not self.urls:
            raise PurgeError("VarnishPurger needs CLIPDESK_VARNISH_URLS, e.g. http://127.0.0.1:6081.")

    def purge(self, keys: Iterable[str]) -> None:
        keys = sorted(set(keys))
        failures = []
        for url in self.urls:
            for start in range(0, len(keys), KEYS_PER_REQUEST):
                try:
                    self._send(url, keys[start : start + KEYS_PER_REQUEST])
                except (OSError, http.client.HTTPException, PurgeError) as exc:
                    failures.append(f"{url}: {exc}")
        if failures:
            raise PurgeError("; ".join(failures))

    def _send(self, url: str, keys: list[str]) -> None:
        parts = urlsplit(url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname or "127.0.0.1", parts.port, timeout=self.timeout)
        try:
            connection.request("PURGE", parts.path or "/", headers={"xkey-purge": " ".join(keys)})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise PurgeError(f"answered {response.status} {response.reason}")
        finally:
            connection.close()


@cache
def _load(path: str):
    return import_string(path)


def configured() -> Purger | None:
    """The purger CLIPDESK_PURGER names, or None."""
    path = settings.CLIPDESK_PURGER
    return _load(path)() if path else None
