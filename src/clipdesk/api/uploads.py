"""Ingest for tools with an API token: `clipdesk ingest FILE --remote URL` (tuspy) uploads the file in
resumable parts to /api/uploads/ (the tus protocol, clipdesk.uploads), then asks /api/ingest/ for the
job and follows it at /api/ingest/<id>. Outside the read-only ninja API: these write, and always need
`Authorization: Bearer <token>` of a user who may ingest; no cookie is involved, so no CSRF token."""

import datetime as dt
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from clipdesk.ingest.actions import require_ingest
from clipdesk.ingest.models import IngestJob
from clipdesk.ingest.resumable import ingest_upload
from clipdesk.ingest.validation import parse_time
from clipdesk.ingest.views import status_document
from clipdesk.uploads.tus import TusEndpoint

from . import actions
from .models import ApiToken

OPTIONS = ("channel", "language", "translate", "speakers", "title", "source")


def token_user(request):
    """The user whose token the request carries, or None."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = ApiToken.objects.matching(raw.strip()).first()
    if token is None:
        return None
    actions.record_use(token)
    return token.user


endpoint = TusEndpoint(
    authenticate=token_user, location=lambda upload: reverse("api:upload", args=[upload.pk])
)


@csrf_exempt
def upload_collection(request):
    return endpoint.collection(request)


@csrf_exempt
def upload(request, upload_id):
    return endpoint.upload(request, upload_id)


def _refused(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _job(job: IngestJob) -> dict:
    return {
        **status_document(job),
        "url": f"{settings.CLIPDESK_BASE_URL}{job.get_absolute_url()}",
        "status_url": f"{settings.CLIPDESK_BASE_URL}{reverse('api:ingest-job', args=[job.pk])}",
        "original_name": job.original_name,
        "original_size": job.original_size,
        "original_duration_ms": job.original_duration_ms,
        "original_sha256": job.original_sha256,
    }


def _options(body: dict) -> dict:
    """The ingest options of a JSON body, as create_ingest_job takes them; ValueError names a bad one."""
    options = {name: body[name] for name in OPTIONS if body.get(name) is not None}
    for name, value in options.items():
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string.")
    if body.get("aired_on"):
        options["aired_on"] = dt.date.fromisoformat(str(body["aired_on"]))
    for name in ("start", "end"):
        if body.get(name) not in (None, ""):
            options[name] = parse_time(str(body[name]))
    return options


@csrf_exempt
@require_POST
def ingest(request):
    """POST {"upload": its URL or id, and the options of `clipdesk ingest`}: 201 with the queued job."""
    user = token_user(request)
    if user is None:
        return _refused(401, "Send Authorization: Bearer <token> (clipdesk api-token USER).")
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict) or not body.get("upload"):
            raise ValueError("The body is a JSON object with the upload's URL in 'upload'.")
        options = _options(body)
    except ValueError as exc:
        return _refused(400, str(exc))
    try:
        job = ingest_upload(str(body["upload"]), user=user, **options)
    except PermissionDenied as exc:
        return _refused(403, str(exc))
    except ValidationError as exc:
        return _refused(400, " ".join(exc.messages))
    return JsonResponse(_job(job), status=201)


@require_GET
@never_cache
def ingest_job(request, pk: int):
    user = token_user(request)
    if user is None:
        return _refused(401, "Send Authorization: Bearer <token> (clipdesk api-token USER).")
    try:
        require_ingest(user)
    except PermissionDenied as exc:
        return _refused(403, str(exc))
    return JsonResponse(_job(get_object_or_404(IngestJob, pk=pk)))
