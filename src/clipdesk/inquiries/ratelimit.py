"""Rate limits for the desk's and the donate page's public forms, counted in Django's cache so that
every process shares them (a database table by default, Redis with REDIS_URL).

A limit is written like "10/h": ten per hour (units s, m, h, d), in fixed windows. Keys hold a keyed
hash of the IP or email address, never the address itself: an unkeyed hash of an IPv4 address is
reversed by trying all four billion. With the database cache the count is read and written in two
steps, so under a burst a few extra submissions may pass, which is acceptable for a spam brake.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    """Too many submissions from one address; the message can be shown to the person."""


def parse(text: str) -> tuple[int, int]:
    """'10/h' → (10, 3600)."""
    count, _, unit = str(text).strip().partition("/")
    if not count.isdigit() or unit not in UNITS:
        raise ValueError(f"A rate limit looks like '10/h' (units s, m, h, d), not {text!r}.")
    return int(count), UNITS[unit]


def hit(scope: str, who: str | None, *, setting: str, default: str, message: str) -> None:
    """Count one submission by `who` (an IP or email address) against the limit in settings.`setting`.

    Raises RateLimited past the limit. `who=None` (a trusted local caller) is not counted.
    """
    if not who:
        return
    limit, window = parse(getattr(settings, setting, default))
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{who.strip().lower()}".encode(), hashlib.sha256)
    key = f"clipdesk:ratelimit:{scope}:{digest.hexdigest()[:32]}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 60)
        count = 1
    if count > limit:
        raise RateLimited(message)


def client_ip(request) -> str | None:
    """The client's address. REMOTE_ADDR is the client's own, or the one a trusted reverse proxy
    forwarded (clipdesk.operations.proxies.TrustedProxyMiddleware sets it)."""
    return request.META.get("REMOTE_ADDR") or None
