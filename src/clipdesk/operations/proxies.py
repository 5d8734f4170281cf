"""Believe forwarded headers only from the reverse proxies named in CLIPDESK_TRUSTED_PROXIES."""

from django.conf import settings


class TrustedProxyMiddleware:
    """From a trusted proxy, take the client's address and scheme from X-Forwarded-For/-Proto;
    from anyone else, drop those headers so that nobody can claim an address or HTTPS."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = set(settings.CLIPDESK_TRUSTED_PROXIES)

    def __call__(self, request):
        meta = request.META
        if meta.get("REMOTE_ADDR") in self.trusted:
            forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
            # The nearest address not of one of our proxies is the client.
            while forwarded and forwarded[-1] in self.trusted:
                forwarded.pop()
            if forwarded:
                meta["REMOTE_ADDR"] = forwarded[-1]
            if meta.get("HTTP_X_FORWARDED_PROTO", "").lower() == "https":
                meta["wsgi.url_scheme"] = "https"
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)
