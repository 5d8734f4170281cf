"""A recording that arrived through the resumable upload endpoint (clipdesk.uploads, tus), handed to
ingest: checked by its content and stored exactly as an upload in one request would be, then the
upload and its parts are deleted. The staff page and the API's ingest endpoint both come here."""

from pathlib import Path

from django.core.exceptions import ValidationError

from clipdesk.uploads import actions as uploads
from clipdesk.uploads import store
from clipdesk.uploads.models import Upload

from . import actions
from .models import IngestJob, safe_file_name
from .validation import IngestRejected


def upload_id(value: str) -> str:
    """The upload's id from its URL (tus clients keep the URL) or the id itself."""
    return value.rstrip("/").rsplit("/", 1)[-1]


def ingest_upload(value, *, user, **options) -> IngestJob:
    """Queues the ingest job for the user's complete upload `value` (its id or URL); `options` are
    create_ingest_job's. A file refused by its content is deleted with the upload; an upload kept
    back by anything else (a bad option, a full disk) stays, so the form can be sent again."""
    try:
        upload = uploads.owned(upload_id(str(value)), user=user)
    except (Upload.DoesNotExist, ValidationError):
        raise ValidationError(
            "The uploaded file was not found: it has expired or was already ingested. Upload it again."
        ) from None
    if not upload.is_complete:
        raise ValidationError(
            f"{upload.filename}: only {upload.offset:,} of {upload.length:,} bytes have arrived; "
            "let the upload finish (it resumes where it stopped)."
        )
    name = Path(upload.filename).name
    with store.local_copy(upload, name if name not in ("", ".", "..") else safe_file_name(name)) as path:
        try:
            job = actions.create_ingest_job(path, user=user, **options)
        except IngestRejected:
            uploads.terminate(upload, user=user)
            raise
    uploads.terminate(upload, user=user)
    return job
