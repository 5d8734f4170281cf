"""/healthz: what a load balancer or a monitor polls; and the pages of a bad request and a server error."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseBadRequest, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clipdesk.params import InvalidParameter

from . import health
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
