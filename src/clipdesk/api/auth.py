"""Who is calling the API: a token holder, or an anonymous client whose requests are counted.

Tokens are optional. `Authorization: Bearer <token>` with a valid token lifts the rate limit (and,
for staff, allows `?include=drafts`); no Authorization header means anonymous use; a header with
a token we do not know is refused with 401, so that a mistyped token is noticed at once.
"""

import contextvars

from django.conf import settings
from ninja.errors import AuthenticationError
from ninja.security.http import HttpAuthBase
from ninja.throttling import BaseThrottle

from clipdesk import ratelimits

from . import actions
from .models import ApiToken

# Seconds until a refused client may ask again: ninja asks the throttle after the refusal, without the
# request, so the throttle leaves the answer here (per thread and task, so one instance serves all).
_retry_after: contextvars.ContextVar[int] = contextvars.ContextVar("api_retry_after", default=0)


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


class AnonymousRateThrottle(BaseThrottle):
    """At most CLIPDESK_API_RATE_LIMIT requests per window from one IP address without a token.

    Counted by clipdesk.ratelimits in the shared cache, under a keyed hash of the address. The
    client's address is REMOTE_ADDR, which TrustedProxyMiddleware takes from X-Forwarded-For only
    when a trusted proxy sent it.
    """

    def allow_request(self, request) -> bool:
        if isinstance(getattr(request, "auth", None), ApiToken):
            return True
        try:
            ratelimits.hit("api-rate", ratelimits.client_ip(request), settings.CLIPDESK_API_RATE_LIMIT)
        except ratelimits.RateLimited as refused:
            _retry_after.set(refused.retry_after)
            return False
        return True

    def wait(self) -> float:
        """Seconds until the current window ends and the count starts again."""
        return _retry_after.get()
