"""Staff pages: upload a recording, follow its job. Every write calls a named action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from clipdesk.accounts.decorators import staff_required
from clipdesk.archive.models import Channel

from . import actions, conf, wording
from .forms import IngestForm, language_options
from .models import IngestJob
from .resumable import ingest_upload
from .uploads import UploadLimit, abandon_upload

RECENT = 50
# The uploader's part size: each part is a short request (8 s at 8 Mbit/s), and an interruption
# costs at most the part in flight.
CHUNK_BYTES = 8 * 1024 * 1024
INSUFFICIENT_STORAGE = 507  # the server has no room to store what it was sent (RFC 4918)


def _require(request) -> None:
    if not request.user.has_perms(actions.PERMISSIONS):
        raise PermissionDenied("Ingesting needs the permissions to add clips and media.")


@staff_required
@csrf_exempt  # checked by _ingest_page, once the upload limit is in place (Django reads uploads for CSRF)
def ingest_page(request):
    _require(request)
    limit = UploadLimit(request, conf.max_upload_bytes())
    request.upload_handlers.insert(0, limit)
    try:
        request.FILES  # noqa: B018  read the upload here: its temporary file may find the disk full
    except OSError as exc:
        if not actions.is_disk_full(exc):
            raise
        return _disk_full_page(request, limit, exc)
    return _ingest_page(request, limit)


def _disk_full_page(request, limit: UploadLimit, exc: OSError):
    """The form again, saying that the upload could not be received: no room for its temporary file."""
    abandon_upload(request)
    messages.error(request, actions.storage_full(limit.file_name or "The recording", exc).messages[0])
    return _render(request, IngestForm(), status=INSUFFICIENT_STORAGE)


@csrf_protect
def _ingest_page(request, limit: UploadLimit):
    form = IngestForm()
    if request.method == "POST" and request.POST.get("check"):
        # The page's script asks before the recording uploads: a mistake costs no upload, and the file
        # stays chosen in the form while it is put right.
        errors = IngestForm(request.POST).option_errors()
        return JsonResponse({"ok": not errors, "errors": errors})  # a check that finds mistakes succeeded
    if request.method == "POST":
        form = IngestForm(request.POST, request.FILES)
        if limit.exceeded:
            form.add_error(
                "file",
                f"The file is over the upload limit of {wording.size(conf.max_upload_bytes())} "
                "(CLIPDESK_MAX_UPLOAD_MB).",
            )
        if form.is_valid():
            data = form.cleaned_data
            options = {
                "user": request.user,
                "channel": data["channel"],
                "aired_on": data["aired_on"],
                "language": data["language"],
                "start": data["start"],
                "end": data["end"],
                "translate": data["translate"],
                "speakers": data["speakers"],
                "title": data["title"],
                "source": data["source"],
            }
            try:
                if data["file"]:
                    job = actions.create_ingest_job(data["file"], **options)
                else:
                    job = ingest_upload(data["upload"], **options)
            except actions.StorageFull as exc:
                form.add_error("file", exc.messages)
                return _render(request, form, status=INSUFFICIENT_STORAGE)
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, f"{job.original_name} is queued as job {job.pk}.")
                return redirect(job)
    return _render(request, form, status=400 if form.errors else 200)


def _render(request, form: IngestForm, *, status: int):
    context = {
        "upload_endpoint": reverse("uploads:collection"),
        "chunk_bytes": CHUNK_BYTES,
        "form": form,
        "jobs": IngestJob.objects.recent()[:RECENT],
        "channels": Channel.objects.values_list("name", flat=True),
        "languages": language_options(),
        "max_upload": wording.size(conf.max_upload_bytes()),
        "max_length": wording.length(conf.get("CLIPDESK_MAX_DURATION_MINUTES")),
    }
    return render(request, "ingest/ingest.html", context, status=status)


@staff_required
@require_GET
def job_page(request, pk: int):
    _require(request)
    job = get_object_or_404(IngestJob.objects.select_related("channel", "uploaded_by", "clip"), pk=pk)
    return render(request, "ingest/job.html", {"job": job})


@staff_required
@require_GET
@never_cache
def job_status(request, pk: int):
    _require(request)
    return JsonResponse(status_document(get_object_or_404(IngestJob, pk=pk)))


def status_document(job: IngestJob) -> dict:
    """A job's state as its page polls it (and `clipdesk ingest --remote --wait` through the API)."""
    return {
        "id": job.pk,
        "status": job.status,
        "stage": job.stage,
        "stage_label": job.stage_label,
        "progress": job.progress,
        "percent": job.percent,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "error": job.error,
        "clip": f"id:{job.clip_id}" if job.clip_id else None,
        "editor_url": job.editor_url or None,
    }


@staff_required
@require_POST
def job_retry(request, pk: int):
    return _act(request, pk, actions.retry_job, "Job {pk} is queued again.")


@staff_required
@require_POST
def job_cancel(request, pk: int):
    return _act(request, pk, actions.cancel_job, "Job {pk} is cancelled.")


@staff_required
@require_POST
def job_rerun(request, pk: int):
    """Runs the recording again in the language chosen (a new job, a new draft)."""
    _require(request)
    job = get_object_or_404(IngestJob, pk=pk)
    try:
        new = actions.rerun_job(job, user=request.user, language=request.POST.get("language", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(job)
    messages.success(request, f"Job {pk} runs again in {new.language} as job {new.pk}.")
    return redirect(new)


def _act(request, pk: int, action, success: str):
    _require(request)
    job = get_object_or_404(IngestJob, pk=pk)
    try:
        action(job, user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, success.format(pk=pk))
    return redirect(job)
