"""/healthz: what a load balancer or a monitor polls."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health


@never_cache
@require_safe
def healthz(request):
    """200 when the database, the job queue and the speech model are all usable, 503 naming what is not."""
    probes = health.report()
    ok = all(probe.ok for probe in probes.values())
    body = {"status": "ok" if ok else "failing", "checks": {name: p.as_dict() for name, p in probes.items()}}
    return JsonResponse(body, status=200 if ok else 503)
