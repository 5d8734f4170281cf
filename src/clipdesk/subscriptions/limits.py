"""Rate limits for the public forms, counted in Django's default cache.

With a database cache (the default setup) every web process sees the same counts. Keys hold a hash
of the IP address or email address, never the address itself. Windows are fixed: a limit of
"5/d" allows five attempts per calendar day (UTC) and key.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DEFAULT_IP_LIMIT = "20/h"
DEFAULT_ADDRESS_LIMIT = "5/d"


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        """'20/h' is twenty per hour; the units are s, m, h and d."""
        count, _, unit = text.strip().partition("/")
        if not count.isdigit() or unit not in UNITS:
            raise ValueError(f"A rate limit looks like '20/h' (units s, m, h, d), not {text!r}.")
        return cls(int(count), UNITS[unit])


def _allow(scope: str, identity: str, limit: Limit) -> bool:
    """Count one attempt; True while the attempts in this window are within the limit."""
    digest = hashlib.sha256(f"{scope}:{identity}".encode()).hexdigest()[:32]
    key = f"clipdesk:limit:{scope}:{digest}:{int(time.time() // limit.seconds)}"
    cache.add(key, 0, timeout=limit.seconds + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds + 60)
        count = 1
    return count <= limit.count


def client_ip(request) -> str:
    """REMOTE_ADDR: behind a reverse proxy named in CLIPDESK_TRUSTED_PROXIES, the archive's
    middleware has already put the client's own address there."""
    return request.META.get("REMOTE_ADDR", "")


def allow_ip(request, scope: str = "subscribe") -> bool:
    limit = Limit.parse(getattr(settings, "CLIPDESK_SUBSCRIBE_IP_LIMIT", DEFAULT_IP_LIMIT))
    return _allow(f"{scope}-ip", client_ip(request), limit)


def allow_address(email: str, scope: str = "subscribe") -> bool:
    limit = Limit.parse(getattr(settings, "CLIPDESK_SUBSCRIBE_ADDRESS_LIMIT", DEFAULT_ADDRESS_LIMIT))
    return _allow(f"{scope}-address", email.strip().lower(), limit)
