"""Who is calling the API: a token holder, or an anonymous client whose requests are counted.

Tokens are optional. `Authorization: Bearer <token>` with a valid token lifts the rate limit (and,
for staff, allows `?include=drafts`); no Authorization header means anonymous use; a header with
a token we do not know is refused with 401, so that a mistyped token is noticed at once.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from ninja.errors import AuthenticationError
from ninja.security.http import HttpAuthBase
from ninja.throttling import BaseThrottle

from . import actions
from .models import ApiToken

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DEFAULT_RATE = "60/m"


class Anonymous:
    """request.auth of a request without a token (truthy, so that ninja lets it through)."""

    def __repr__(self) -> str:
        return "anonymous"


ANONYMOUS = Anonymous()


class TokenAuth(HttpAuthBase):
    openapi_scheme = "bearer"
    openapi_description = (
        "An API token from `clipdesk api-token USER`. Optional: without one, use is rate-limited."
    )

    def __call__(self, request) -> ApiToken | Anonymous:
        header = request.headers.get("Authorization", "")
        if not header:
            return ANONYMOUS
        scheme, _, raw = header.partition(" ")
        token = ApiToken.objects.matching(raw.strip()).first() if scheme.lower() == "bearer" else None
        if token is None:
            raise AuthenticationError(message="Unknown or revoked API token.")
        actions.record_use(token)
        return token


def parse_rate(text: str) -> tuple[int, int]:
    """'60/m' is sixty requests a minute: (60, 60). The units are s, m, h and d."""
    count, _, unit = text.strip().partition("/")
    if not count.isdigit() or unit not in UNITS:
        raise ValueError(f"A rate looks like '60/m' (units s, m, h, d), not {text!r}.")
    return int(count), UNITS[unit]


def rate() -> tuple[int, int]:
    return parse_rate(getattr(settings, "CLIPDESK_API_RATE_LIMIT", DEFAULT_RATE))


class AnonymousRateThrottle(BaseThrottle):
    """At most CLIPDESK_API_RATE_LIMIT requests per fixed window from one IP address without a token.

    Counted in Django's default cache, so every process that shares the cache shares the count; the
    key holds a hash of the address, not the address. The client's address is REMOTE_ADDR, which
    TrustedProxyMiddleware takes from X-Forwarded-For only when a trusted proxy sent it. Fixed
    windows make the wait computable without per-request state, so one instance serves every thread.
    """

    def allow_request(self, request) -> bool:
        if isinstance(getattr(request, "auth", None), ApiToken):
            return True
        limit, window = rate()
        address = request.META.get("REMOTE_ADDR", "")
        digest = hashlib.sha256(f"{settings.SECRET_KEY}:api:{address}".encode()).hexdigest()[:32]
        key = f"clipdesk:api-rate:{digest}:{int(time.time() // window)}"
        cache.add(key, 0, timeout=window + 60)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 60)
            count = 1
        return count <= limit

    def wait(self) -> float:
        """Seconds until the current window ends and the count starts again."""
        _, window = rate()
        return window - time.time() % window
