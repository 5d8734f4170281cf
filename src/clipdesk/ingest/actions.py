"""Named actions on ingest jobs: every write to the jobs table goes through one of these.

Users' actions (`create_ingest_job`, `retry_job`, `cancel_job`) check the permissions; `user=None`
is a trusted local process (the CLI, a worker). The worker's transitions (`claim_job`,
`complete_job`, `retry_later`, `fail_job`, `release_job`) are conditional updates on the job row:
each names the state it expects (and the worker that holds the job), so two processes racing for
one job can never both win, and a job done once is never done again. Jobs are enqueued by id,
after the transaction commits; a message lost on the way is found by `reaper.requeue_stale_jobs`.
"""

import contextlib
import datetime as dt
import errno
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clipdesk.archive.actions import create_clip, get_or_create_channel, require
from clipdesk.archive.models import Channel, Clip
from clipdesk.media.actions import attach_media, sha256_of
from clipdesk.media.models import MediaAsset
from clipdesk.pipeline.languages import bcp47
from clipdesk.transcripts.actions import machine_draft_reason, store_machine_transcript

from . import conf, queue
from .models import IngestJob, clock, safe_file_name
from .validation import BadOptions, check_span, inspect_media, whisper_language

if TYPE_CHECKING:
    from .runner import Outcome

log = logging.getLogger(__name__)

PERMISSIONS = ("media.add_mediaasset", "archive.add_clip")
Status = IngestJob.Status


class JobLost(Exception):
    """The job row is no longer this worker's: cancelled, finished or claimed by another worker."""


# "No space left on device" and "Disk quota exceeded": there is no room to write the recording.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageFull(ValidationError):
    """No room to write a recording (the media storage, or the temporary space it passes through):
    nothing of it was kept, and the same file goes through once space is freed."""


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL


def storage_full(name: str, exc: OSError) -> StorageFull:
    return StorageFull(
        f"{name}: not stored, the disk is full ({os.strerror(exc.errno)}). Nothing of it was kept; "
        "send it again once space is freed."
    )


def require_ingest(user) -> None:
    for perm in PERMISSIONS:
        require(user, perm)


# -- enqueueing --------------------------------------------------------------------------------------


def enqueue_on_commit(job_id: int, delay: float = 0) -> None:
    # robust: a queue that is down must not undo the committed job; the reaper enqueues it later.
    transaction.on_commit(lambda: queue.enqueue(job_id, delay), robust=True)


# -- what users do -----------------------------------------------------------------------------------


@contextmanager
def _refused_when_disk_full(media) -> Iterator[None]:
    """Turns "no space left" while the recording is written (a temporary copy, the stored original)
    into StorageFull, a refusal that says so, rather than a server error."""
    try:
        yield
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        name = Path(getattr(media, "name", None) or str(media)).name
        raise storage_full(name, exc) from exc


@contextmanager
def _local_file(media) -> Iterator[tuple[Path, str]]:
    """A path to read `media` from (a path, or an uploaded file) and the name it came with.

    An upload is read under its own (sanitised) name, so that every message names the file the user
    sent, not a temporary file."""
    if not isinstance(media, UploadedFile):
        path = Path(media)
        if not path.is_file():
            raise BadOptions(f"{path}: no such file.")
        yield path, path.name
        return
    name = Path(media.name or "recording").name
    with tempfile.TemporaryDirectory(prefix="clipdesk-upload-") as tmp:
        path = Path(tmp) / safe_file_name(name)
        if hasattr(media, "temporary_file_path"):  # already on disk: no second copy
            os.symlink(media.temporary_file_path(), path)
        else:
            with open(path, "wb") as handle:
                for chunk in media.chunks():
                    handle.write(chunk)
        yield path, name


def _check_options(language: str, translate: str, speakers: str) -> None:
    whisper_language(language)
    if translate not in IngestJob.Translate.values:
        raise BadOptions(
            f"Translation must be one of {', '.join(IngestJob.Translate.values)}, not {translate!r}."
        )
    if translate == IngestJob.Translate.CTRANSLATE2 and not conf.get("CLIPDESK_TRANSLATION_MODEL_DIR"):
        raise BadOptions(
            "Translation with ctranslate2 needs a translation model: set CLIPDESK_TRANSLATION_MODEL_DIR to a "
            "CTranslate2 model directory, or choose whisper or none."
        )
    if speakers not in IngestJob.Speakers.values:
        raise BadOptions(f"Speakers must be one of {', '.join(IngestJob.Speakers.values)}, not {speakers!r}.")


def create_ingest_job(
    media,
    *,
    user,
    channel: Channel | str | None = None,
    aired_on: dt.date | None = None,
    language: str = "auto",
    start: float | None = None,
    end: float | None = None,
    translate: str | None = None,
    speakers: str = IngestJob.Speakers.AUTO,
    title: str = "",
    source: str = "",
) -> IngestJob:
    """Check a recording, store it with its SHA-256, and queue the job that makes a draft of it.

    `media` is a path or an uploaded file; `start`/`end` (seconds) cut a clip from it; `channel` is a
    Channel or a name (created if new). The file is checked by its content first (IngestRejected,
    a ValidationError, says what is wrong): nothing is stored unless every check passes, and the
    stored original and the job row are written together or not at all. A full disk is refused
    with StorageFull, leaving nothing behind.
    """
    require_ingest(user)
    translate = translate or conf.get("CLIPDESK_DEFAULT_TRANSLATE")
    language = (language or "auto").strip()
    _check_options(language, translate, speakers)
    with _refused_when_disk_full(media), _local_file(media) as (path, name):
        facts = inspect_media(path, max_bytes=conf.max_upload_bytes())
        start, end = check_span(name, facts.duration, start, end, max_seconds=conf.max_duration_seconds())
        digest = sha256_of(path)
        now = timezone.now()
        job = IngestJob(
            original_name=name[:255],
            original_sha256=digest,
            original_size=facts.size,
            original_duration_ms=round(facts.duration * 1000),
            mime_type=facts.mime_type,
            uploaded_by=user,
            source=source.strip()[:500],
            title=title.strip()[:500],
            aired_on=aired_on,
            language=language,
            start_ms=round(start * 1000) if start is not None else None,
            end_ms=round(end * 1000) if end is not None else None,
            translate=translate,
            speakers=speakers,
            max_attempts=int(conf.get("CLIPDESK_INGEST_ATTEMPTS")),
            enqueued_at=now,
            due_at=now,
        )
        written = None
        try:
            with transaction.atomic():
                if isinstance(channel, str):
                    channel = get_or_create_channel(user=user, name=channel) if channel.strip() else None
                job.channel = channel
                written = _store_original(job, path, name)
                job.save()
                enqueue_on_commit(job.pk)
        except BaseException:
            if written:
                default_storage.delete(written)
            raise
    log.info("ingest job %s queued: %s (%s bytes, sha256 %s)", job.pk, name, facts.size, digest)
    return job


def _store_original(job: IngestJob, path: Path, name: str) -> str | None:
    """Stores the original; returns the name written, or None when the same bytes were stored before."""
    for existing in IngestJob.objects.filter(original_sha256=job.original_sha256).values_list(
        "original", flat=True
    ):
        if existing and default_storage.exists(existing):
            job.original.name = existing
            return None
    field = job.original.field
    # The name is chosen before writing so that what a failed write leaves can be found and removed.
    target = default_storage.get_available_name(
        field.generate_filename(job, safe_file_name(name)), max_length=field.max_length
    )
    try:
        with open(path, "rb") as handle:
            job.original.name = default_storage.save(target, File(handle), max_length=field.max_length)
    except BaseException:
        _remove_partial(target, job.original_size)
        raise
    return job.original.name


def _remove_partial(name: str, size: int) -> None:
    """Deletes what a failed write left under `name`: the file system storage keeps the bytes written
    before the disk filled. A complete file there (`size` bytes) is a concurrent upload's of the same
    bytes, and is left alone."""
    with contextlib.suppress(OSError):
        if default_storage.exists(name) and default_storage.size(name) != size:
            default_storage.delete(name)


def retry_job(job: IngestJob, *, user) -> IngestJob:
    """Queue a failed job again, with its attempts counted afresh."""
    require_ingest(user)
    now = timezone.now()
    with transaction.atomic():
        updated = IngestJob.objects.filter(pk=job.pk, status=Status.FAILED).update(
            status=Status.QUEUED,
            attempts=0,
            error="",
            stage=IngestJob.Stage.NONE,
            progress=0.0,
            claimed_by="",
            heartbeat_at=None,
            finished_at=None,
            enqueued_at=now,
            due_at=now,
        )
        if not updated:
            job.refresh_from_db()
            raise ValidationError(
                f"Only a failed job can be retried; job {job.pk} is {job.get_status_display().lower()}."
            )
        enqueue_on_commit(job.pk)
    job.refresh_from_db()
    return job


def rerun_job(job: IngestJob, *, user, language: str) -> IngestJob:
    """A new job for the same recording (the stored original, same cut and options) in a chosen
    language: the way out when the language was identified wrongly. The first job and its draft are
    left as they are; the new job makes a new draft."""
    require_ingest(user)
    language = (language or "auto").strip()
    _check_options(language, job.translate, job.speakers)
    if not job.is_finished:
        raise ValidationError(f"Job {job.pk} is {job.get_status_display().lower()}; wait for it to finish.")
    if not job.original or not default_storage.exists(job.original.name):
        raise ValidationError(f"The original of job {job.pk} is no longer stored; upload it again.")
    now = timezone.now()
    copied = [
        "original",
        "original_name",
        "original_sha256",
        "original_size",
        "original_duration_ms",
        "mime_type",
        "source",
        "title",
        "channel_id",
        "aired_on",
        "start_ms",
        "end_ms",
        "translate",
        "speakers",
    ]
    with transaction.atomic():
        new = IngestJob(
            **{name: getattr(job, name) for name in copied},
            language=language,
            uploaded_by=user if getattr(user, "pk", None) else job.uploaded_by,
            max_attempts=int(conf.get("CLIPDESK_INGEST_ATTEMPTS")),
            enqueued_at=now,
            due_at=now,
        )
        new.save()
        enqueue_on_commit(new.pk)
    log.info("ingest job %s: job %s run again in %s", new.pk, job.pk, language)
    return new


def cancel_job(job: IngestJob, *, user) -> IngestJob:
    """Stop a queued or running job. A worker running it notices at its next heartbeat and stops."""
    require_ingest(user)
    who = getattr(user, "username", "") or "an operator"
    updated = IngestJob.objects.filter(pk=job.pk, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.FAILED, error=f"Cancelled by {who}.", finished_at=timezone.now()
    )
    job.refresh_from_db()
    if not updated:
        raise ValidationError(
            f"Job {job.pk} is {job.get_status_display().lower()}; there is nothing to cancel."
        )
    return job


# -- what workers do ---------------------------------------------------------------------------------


def claim_job(job_id: int, *, worker: str) -> IngestJob | None:
    """Takes a queued job for `worker`: None when it is not queued (running elsewhere, done, failed)."""
    now = timezone.now()
    claimed = IngestJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        claimed_by=worker,
        heartbeat_at=now,
        started_at=now,
        stage=IngestJob.Stage.NONE,
        progress=0.0,
    )
    if not claimed:
        return None
    return IngestJob.objects.select_related("channel").get(pk=job_id)


def _mine(job_id: int, worker: str):
    return IngestJob.objects.filter(pk=job_id, status=Status.RUNNING, claimed_by=worker)


def fail_job(job_id: int, message: str, *, worker: str) -> bool:
    """Ends the job as failed with `message`, a reason a user can act on."""
    return bool(_mine(job_id, worker).update(status=Status.FAILED, error=message, finished_at=timezone.now()))


def backoff_seconds(attempts: int) -> float:
    return min(3600.0, float(conf.get("CLIPDESK_INGEST_RETRY_SECONDS")) * 2 ** max(0, attempts - 1))


def retry_later(job_id: int, reason: str, *, worker: str) -> float | None:
    """After a transient failure: queue the job again after a growing delay, or, once its attempts are
    spent, fail it with the reason. Returns the delay, or None when the job failed."""
    job = IngestJob.objects.get(pk=job_id)
    if job.attempts >= job.max_attempts:
        fail_job(
            job_id,
            f"Gave up after {job.attempts} attempts. The last one failed with: {reason}",
            worker=worker,
        )
        return None
    delay = backoff_seconds(job.attempts)
    now = timezone.now()
    with transaction.atomic():
        updated = _mine(job_id, worker).update(
            status=Status.QUEUED,
            error=f"Attempt {job.attempts} of {job.max_attempts} failed: {reason} It will be retried.",
            claimed_by="",
            heartbeat_at=None,
            enqueued_at=now,
            due_at=now + dt.timedelta(seconds=delay),
        )
        if updated:
            enqueue_on_commit(job_id, delay)
    return delay if updated else None


def release_job(job_id: int, *, worker: str) -> bool:
    """Gives an interrupted job back to the queue as it was (the attempt is not counted)."""
    now = timezone.now()
    with transaction.atomic():
        updated = _mine(job_id, worker).update(
            status=Status.QUEUED,
            attempts=F("attempts") - 1,
            claimed_by="",
            heartbeat_at=None,
            stage=IngestJob.Stage.NONE,
            progress=0.0,
            enqueued_at=now,
            due_at=now,
        )
        if updated:
            enqueue_on_commit(job_id)
    return bool(updated)


def complete_job(job_id: int, outcome: "Outcome", *, worker: str, timings: dict | None = None) -> Clip | None:
    """Stores an attempt's result as a draft clip and marks the job done, all in one transaction.

    The draft (origin "ingested", never published here) gets its speakers, its segments (original
    text and language, the machine English draft), and its media with the poster. Returns None, and
    writes nothing, when the job already has its clip: a job is stored once however often it runs.
    Raises JobLost when the job is no longer `worker`'s.
    """
    written: list[str] = []
    try:
        with transaction.atomic():
            job = IngestJob.objects.select_for_update(of=("self",)).select_related("channel").get(pk=job_id)
            if job.status == Status.DONE or job.clip_id is not None:
                return None
            if job.status != Status.RUNNING or job.claimed_by != worker:
                raise JobLost(f"ingest job {job_id} is no longer {worker}'s")
            clip = create_clip(
                user=None,
                title=job.title or f"Untitled: {job.original_name}",
                origin=Clip.Origin.INGESTED,
                channel=job.channel,
                aired_on=job.aired_on,
            )
            store_machine_transcript(
                clip,
                outcome.segments,
                speakers=job.speakers != IngestJob.Speakers.NONE,
                language=outcome.language,
                reason=machine_draft_reason(job.pk),
            )
            asset = attach_media(
                clip, outcome.media, user=None, source=_provenance(job, outcome), poster=outcome.poster
            )
            written = [name for name in (asset.file.name, asset.poster.name) if name]
            MediaAsset.objects.filter(pk=asset.pk).update(uploaded_by=job.uploaded_by)
            # The clip lasts what its audio lasts, to the millisecond: the container of a still-picture
            # rendition rounds up to its last frame.
            exact = round(outcome.duration * 1000)
            Clip.objects.filter(pk=clip.pk).update(duration_ms=exact)
            MediaAsset.objects.filter(pk=asset.pk).update(duration_ms=exact)
            now = timezone.now()
            IngestJob.objects.filter(pk=job.pk).update(
                status=Status.DONE,
                clip=clip,
                stage=IngestJob.Stage.STORE,
                progress=1.0,
                error="",
                heartbeat_at=now,
                finished_at=now,
                timings=timings or outcome.timings,
                **language_fields(outcome, job),
            )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    clip.refresh_from_db()  # attach_media set its duration
    return clip


def language_fields(outcome: "Outcome", job: IngestJob) -> dict:
    """The job's record of the languages found, with a warning when the identification is doubtful:
    the main language, or any stretch of speech of a few seconds, below
    CLIPDESK_LANGUAGE_MIN_PROBABILITY. A language the user chose is not doubted."""
    seconds = {bcp47(code): round(value, 1) for code, value in (outcome.languages or {}).items()}
    fields = {
        "language_found": bcp47(outcome.language) if outcome.language else "",
        "language_probability": round(outcome.language_probability, 4) if outcome.language else None,
        "languages_found": seconds or None,
        "language_warning": "",
    }
    if job.language != "auto" or not outcome.language:
        return fields
    threshold = float(conf.get("CLIPDESK_LANGUAGE_MIN_PROBABILITY"))
    doubtful = [
        s for s in outcome.segments if s.end_ms - s.start_ms >= 3000 and s.language_probability < threshold
    ]
    if outcome.language_probability < threshold or doubtful:
        worst = min(doubtful, key=lambda s: s.language_probability) if doubtful else None
        where = (
            f" (the line at {clock(worst.start_ms)} is {bcp47(worst.language)} with probability "
            f"{worst.language_probability:.2f})"
            if worst
            else ""
        )
        fields["language_warning"] = (
            f"The language was identified with low confidence: {bcp47(outcome.language)} with probability "
            f"{outcome.language_probability:.2f}{where}, below {threshold:.2f}. Check the draft, and run the "
            "recording again in the right language if it is wrong."
        )
    return fields


def _provenance(job: IngestJob, outcome: "Outcome") -> str:
    """What the stored file is, for the asset's source: the original, or what was made of it."""
    text = f"{job.original_name} (sha256 {job.original_sha256})"
    if job.cut_label:
        text = f"{job.cut_label} of {text}"
    if outcome.derived:
        text = f"web rendition of {text}"
    return f"{job.source}; {text}"[:500] if job.source else text[:500]
