"""The one rate limiter: public forms and the anonymous API count attempts here, on django-ratelimit.

A limit is written "N/unit": "10/h" is ten per hour (units s, m, h, d). settings.py parses every
limit setting with `parse` (clipdesk.parsers.rate) at start, so a mistyped one stops the site from starting rather than
answering 500 on a public form.

Counts live in Django's default cache, so every process that shares it shares them (a database
table by default, Redis with REDIS_URL). django-ratelimit counts in fixed windows whose edges it
staggers per key. With the database cache a count is read and written in two steps, so under a burst
a few extra attempts may pass, which is acceptable for a spam brake.

No key holds an address. The counted value is an HMAC of the scope and the IP or email address,
keyed from SECRET_KEY (an unkeyed hash of an IPv4 address is reversed by trying all four billion),
and django-ratelimit hashes that again into the cache key, keeping only the scope ("subscribe-ip")
readable in front so that an operator can tell the counts apart (see `ScopedDigest`).

This module imports no clipdesk app, so any app may use it.
"""

import hashlib

from django.utils.crypto import salted_hmac
from django_ratelimit.core import get_usage

from clipdesk.parsers import rate as parse

__all__ = ["RateLimited", "ScopedDigest", "allowed", "client_ip", "digest", "hit", "parse"]

# Ends the scope in django-ratelimit's group, which it joins with the rate, value and window to hash.
SCOPE_END = "|"


class RateLimited(Exception):
    """Too many attempts from one address; the message can be shown to the person.

    `retry_after` is the number of seconds until the window ends and the count starts again.
    """

    def __init__(self, message: str = "Too many requests.", retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after


def digest(scope: str, who: str) -> str:
    """A keyed hash of `who` (an IP or email address, in any letter case) for `scope`."""
    return salted_hmac(
        "clipdesk.ratelimits", f"{scope}:{who.strip().lower()}", algorithm="sha256"
    ).hexdigest()


class ScopedDigest:
    """django-ratelimit's cache-key hash (settings.RATELIMIT_HASH_ALGORITHM): a SHA-256 of what it
    joins, with the scope that `hit` ended with SCOPE_END kept readable in front."""

    def __init__(self, data: bytes = b""):
        scope, _, rest = data.decode().rpartition(SCOPE_END)
        self.scope = scope
        self.rest = rest

    def hexdigest(self) -> str:
        hashed = hashlib.sha256(self.rest.encode()).hexdigest()[:32]
        return f"{self.scope}:{hashed}" if self.scope else hashed


def hit(scope: str, who: str | None, rate: str, message: str = "Too many requests.") -> None:
    """Count one attempt by `who` (an IP or email address) for `scope`, against `rate` ("10/h").

    Raises RateLimited past the limit. `who=None` (an action called by trusted code, without a
    request) is not counted; an empty address (a server that did not pass one) is counted as one.
    """
    if who is None:
        return
    value = digest(scope, who)
    usage = get_usage(
        None, group=scope + SCOPE_END, key=lambda group, request: value, rate=parse(rate), increment=True
    )
    if usage is not None and usage["should_limit"]:
        raise RateLimited(message, retry_after=max(1, usage["time_left"]))


def allowed(scope: str, who: str | None, rate: str) -> bool:
    """Count one attempt, as `hit` does; False past the limit."""
    try:
        hit(scope, who, rate)
    except RateLimited:
        return False
    return True


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, which is the client's own, or the one a trusted reverse
    proxy forwarded (TrustedProxyMiddleware puts it there for CLIPDESK_TRUSTED_PROXIES)."""
    return request.META.get("REMOTE_ADDR", "")
