"""/healthz: what a load balancer or a monitor polls; /metrics, what Prometheus scrapes; and the pages
of a bad request and a server error."""

import hmac
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clipdesk.params import InvalidParameter

from . import health, metrics
from .middleware import unavailable_response


@never_cache
@require_safe
def healthz(request):
    """200 when what the web server needs (the database, the media storage) is usable, 503 naming
    what is not. The job queue, the speech model and the workers' last heartbeat are reported under
    "background": a dead worker is for a monitor to alert on, not for a load balancer to act on."""
    probes = health.report()
    ok = all(probe.ok for probe in probes.values())
    body = {
        "status": "ok" if ok else "failing",
        "checks": {name: p.as_dict() for name, p in probes.items()},
        "background": {name: p.as_dict() for name, p in health.background().items()},
    }
    return JsonResponse(body, status=200 if ok else 503)


@never_cache
@require_safe
def prometheus_metrics(request):
    """The operators' metrics (see `metrics`), for staff signed in or a scraper sending
    `Authorization: Bearer <CLIPDESK_METRICS_TOKEN>`; 403 for anyone else."""
    token = settings.CLIPDESK_METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    allowed = bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    if not (allowed or (request.user.is_authenticated and request.user.is_staff)):
        return HttpResponse(
            "Metrics are for staff, or for a scraper with the configured bearer token.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return HttpResponse(generate_latest(metrics.registry()), content_type=CONTENT_TYPE_LATEST)


def server_error(request):
    """Django's 500 page, except when the database could not be reached: then 503 with Retry-After.

    DatabaseUnavailableMiddleware answers for errors raised in views; this catches the rest, raised
    in another middleware (saving a changed session, say). Django calls it inside its handler, so
    the exception being handled is the one that failed the request.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return unavailable_response()
    return defaults.server_error(request)


def bad_request(request, exception):
    """Django's 400 page says only "Bad Request"; a query parameter we could not read is named, so
    whoever wrote the address can fix it. Other 400s (a forged host, say) keep Django's page."""
    if isinstance(exception, InvalidParameter):
        return HttpResponseBadRequest(f"Bad request: {exception}\n", content_type="text/plain; charset=utf-8")
    return defaults.bad_request(request, exception)
