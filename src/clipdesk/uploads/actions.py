"""Named actions on resumable uploads: every write to the uploads table goes through one of these.

Uploads are recordings on their way to ingest, so they need the ingest permissions (to add clips and
media). Limits are checked as early as the bytes allow: the size from Upload-Length when the upload
is created, the duration from the container's header as soon as enough of it has arrived (usually
the first part), and the offset never passes the length. Nothing waits for a 2 GB file to finish
before it is refused.
"""

import base64
import binascii
import datetime as dt
import logging
from pathlib import Path

import av
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clipdesk.archive.actions import require

from . import store
from .models import Upload

log = logging.getLogger(__name__)

PERMISSIONS = ("media.add_mediaasset", "archive.add_clip")
# Containers whose duration FFmpeg takes from the bytes present (a WAV's too, whatever its header
# says): scaled from the part received to the whole upload.
ESTIMATED_DURATION = {"wav", "mp3", "mpegts", "aac"}
PROBE_AFTER = 64 * 1024  # bytes: enough for the header of any container worth probing early


class UploadRefused(ValidationError):
    """The upload cannot go on; `status` is the HTTP status the tus endpoint answers with."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status or self.status


class OffsetMismatch(UploadRefused):
    status = 409


class TooLarge(UploadRefused):
    status = 413


class TooLong(UploadRefused):
    status = 422


def require_upload(user) -> None:
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Uploading needs a staff sign-in or an API token.")
    for perm in PERMISSIONS:
        require(user, perm)


def max_bytes() -> int:
    return int(settings.CLIPDESK_MAX_UPLOAD_MB * 1024 * 1024)


def expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(hours=settings.CLIPDESK_UPLOAD_EXPIRY_HOURS)


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs (a key alone has no value)."""
    metadata = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, encoded = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode() if encoded else ""
        except (binascii.Error, UnicodeDecodeError):
            raise UploadRefused(
                f"Upload-Metadata: the value of {key!r} is not base64 of UTF-8 text."
            ) from None
    return metadata


def create_upload(*, user, length: int, metadata: dict[str, str]) -> Upload:
    """A new, empty upload of `length` bytes; refused at once when that is over CLIPDESK_MAX_UPLOAD_MB."""
    require_upload(user)
    if length < 1:
        raise UploadRefused("Upload-Length must be a whole number of bytes above 0.")
    if length > max_bytes():
        raise TooLarge(
            f"The file is {length / 2**20:,.0f} MB, over the limit of {max_bytes() / 2**20:,.0f} MB "
            "(CLIPDESK_MAX_UPLOAD_MB). Cut the recording, or ask an operator to raise the limit."
        )
    filename = Path(metadata.get("filename", "") or "recording").name[:255]
    upload = Upload.objects.create(
        owner=user, length=length, metadata=metadata, filename=filename, expires_at=expiry(timezone.now())
    )
    log.info("upload %s begun by %s: %s, %s bytes", upload.pk, user, filename, length)
    return upload


def owned(upload_id, *, user) -> Upload:
    """The user's upload, not expired; Upload.DoesNotExist otherwise (another's is as unknown)."""
    require_upload(user)
    return Upload.objects.get(pk=upload_id, owner=user, expires_at__gte=timezone.now())


def append(upload: Upload, *, user, offset: int, part: Path) -> Upload:
    """Adds `part` (a local file holding the request's bytes) at `offset`, which must be what has
    arrived so far. The part is written and the offset moved under the row's lock, so two requests
    for one upload cannot interleave. Checks the declared duration as soon as the header can be read."""
    require_upload(user)
    size = part.stat().st_size
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk, owner=user)
        if offset != upload.offset:
            raise OffsetMismatch(f"Upload-Offset is {offset}, but {upload.offset} bytes have arrived.")
        if offset + size > upload.length:
            raise TooLarge(f"The part ends at byte {offset + size}, past Upload-Length {upload.length}.")
        store.write_part(upload, part, offset)
        upload.offset = offset + size
        now = timezone.now()
        upload.expires_at = expiry(now)
        if upload.is_complete:
            upload.completed_at = now
        if upload.declared_duration is None and (upload.offset >= PROBE_AFTER or upload.is_complete):
            upload.declared_duration = _declared_duration(upload, part if offset == 0 else None)
        upload.save()
    if upload.declared_duration and upload.declared_duration > settings.CLIPDESK_MAX_DURATION_MINUTES * 60:
        terminate(upload, user=user)
        raise TooLong(
            f"{upload.filename} lasts {upload.declared_duration / 60:,.0f} minutes, over the limit of "
            f"{settings.CLIPDESK_MAX_DURATION_MINUTES:g} minutes (CLIPDESK_MAX_DURATION_MINUTES); the upload "
            "is stopped. Cut a shorter recording, or ask an operator to raise the limit."
        )
    return upload


def _declared_duration(upload: Upload, first_part: Path | None) -> float | None:
    """Seconds, as the container's header declares them, from what has arrived: None until it can
    be read (an MP4 whose index is at its end says nothing before it is complete)."""
    if store.appends():
        with store.local_copy(upload, "head") as path:
            return _probe_duration(path, upload)
    return _probe_duration(first_part, upload) if first_part else None


def _probe_duration(path: Path, upload: Upload) -> float | None:
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.duration or container.duration <= 0:
                return None
            seconds = container.duration / av.time_base
            if container.format.name in ESTIMATED_DURATION and not upload.is_complete:
                seconds *= upload.length / path.stat().st_size  # estimated from the bytes present
            return seconds
    except (av.error.FFmpegError, OSError):
        return None


def terminate(upload: Upload, *, user) -> None:
    """Deletes an upload and what it received (tus termination, and after it was handed to ingest)."""
    require_upload(user)
    Upload.objects.filter(pk=upload.pk, owner=user).delete()
    store.delete(upload)  # after the row: a PATCH that comes now finds no upload, never a half file
    log.info("upload %s deleted", upload.pk)


def delete_expired(now: dt.datetime | None = None) -> int:
    """Deletes the uploads nobody has added to for CLIPDESK_UPLOAD_EXPIRY_HOURS (a trusted process)."""
    now = now or timezone.now()
    count = 0
    for upload in Upload.objects.expired(now):
        with transaction.atomic():
            if Upload.objects.expired(now).filter(pk=upload.pk).delete()[0]:
                store.delete(upload)
                count += 1
    if count:
        log.info("deleted %s abandoned uploads", count)
    return count
