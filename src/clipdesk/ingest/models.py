"""Ingest jobs: a media file on its way to a draft clip. The jobs table is the source of truth.

A job moves queued → running → done | failed. Workers claim it with a conditional update and keep
its heartbeat fresh while they work; the queue only carries the job's id, so a lost message or a
killed worker costs a retry, never the job (see reaper.requeue_stale_jobs).
"""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from clipdesk.archive.models import Channel, Clip, format_duration

from . import wording


def clock(ms: int) -> str:
    """A time in a recording as [h:]m:ss, with the fraction of a second when there is one (1:01.5)."""
    seconds, millis = divmod(ms, 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"{text}.{millis:03d}".rstrip("0") if millis else text


def safe_file_name(name: str) -> str:
    """A name to store a file under, made from the name it came with ("..", "a/b" and the like cleaned)."""
    path = Path(name)
    stem = path.stem.strip(". ")[:120] or "recording"
    try:
        return get_valid_filename(f"{stem}{path.suffix[:10]}")
    except SuspiciousFileOperation:  # nothing usable in it
        return "recording"


def original_path(job: "IngestJob", filename: str) -> str:
    return f"ingest/originals/{job.original_sha256[:2]}/{job.original_sha256}/{filename}"


class IngestJobQuerySet(models.QuerySet):
    def recent(self) -> "IngestJobQuerySet":
        return self.select_related("channel", "uploaded_by", "clip").order_by("-created_at", "-pk")

    def unfinished(self) -> "IngestJobQuerySet":
        return self.filter(status__in=[IngestJob.Status.QUEUED, IngestJob.Status.RUNNING])

    def abandoned(self, before: dt.datetime) -> "IngestJobQuerySet":
        """Running, but the worker has not touched the row since `before`."""
        return self.filter(status=IngestJob.Status.RUNNING, heartbeat_at__lt=before)

    def waiting_since(self, before: dt.datetime) -> "IngestJobQuerySet":
        """Queued and due since before `before`: a worker should have taken them by now."""
        return self.filter(status=IngestJob.Status.QUEUED, due_at__lt=before)


class IngestJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Stage(models.TextChoices):
        NONE = "", "Not started"
        MODEL = "model", "Loading the speech model"
        CUT = "cut", "Cutting the clip"
        DECODE = "decode", "Decoding the audio"
        TRANSCRIBE = "transcribe", "Finding speech, recognising words and speakers"
        TRANSLATE = "translate", "Translating into English"
        RENDITION = "rendition", "Making the web video"
        POSTER = "poster", "Taking the poster frame"
        STORE = "store", "Saving the draft"

    class Translate(models.TextChoices):
        WHISPER = "whisper", "Whisper's translation (machine draft)"
        CTRANSLATE2 = "ctranslate2", "The configured translation model"
        NONE = "none", "None: a translator writes the English"

    class Speakers(models.TextChoices):
        AUTO = "auto", "Automatic"
        CHANNELS = "channels", "One per stereo channel"
        EMBEDDINGS = "embeddings", "Voice embeddings"
        NONE = "none", "Not attributed"

    # The original, for provenance.
    original = models.FileField(upload_to=original_path, max_length=500)
    original_name = models.CharField(max_length=255)
    original_sha256 = models.CharField(max_length=64, db_index=True)
    original_size = models.PositiveBigIntegerField()
    original_duration_ms = models.PositiveIntegerField()
    mime_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=500, blank=True, help_text="Where the recording came from.")
    created_at = models.DateTimeField(default=timezone.now)

    # What to make of it.
    title = models.CharField(max_length=500, blank=True)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    aired_on = models.DateField(null=True, blank=True)
    language = models.CharField(
        max_length=35, default="auto", help_text="'auto', or the BCP 47 code of the spoken language."
    )
    start_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Cut the clip from here.")
    end_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Cut the clip up to here.")
    translate = models.CharField(max_length=20, choices=Translate.choices, default=Translate.WHISPER)
    speakers = models.CharField(max_length=20, choices=Speakers.choices, default=Speakers.AUTO)

    # Where it is.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True, default=Stage.NONE)
    progress = models.FloatField(default=0.0, help_text="Fraction of the audio the current stage has done.")
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="Last put on the queue.")
    due_at = models.DateTimeField(null=True, blank=True, help_text="When it may run (later for a retry).")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    # What the pipeline found of the languages spoken.
    language_found = models.CharField(
        max_length=35, blank=True, default="", db_default="", help_text="The language spoken longest."
    )
    language_probability = models.FloatField(
        null=True, blank=True, help_text="The model's probability of that language, over its lines."
    )
    languages_found = models.JSONField(
        null=True, blank=True, help_text="Seconds of speech per language (BCP 47 code)."
    )
    language_warning = models.TextField(
        blank=True, default="", db_default="", help_text="Why the identified language is doubtful."
    )
    clip = models.ForeignKey(
        Clip, on_delete=models.SET_NULL, null=True, blank=True, related_name="ingest_jobs"
    )

    objects = IngestJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_ms__isnull=True)
                | models.Q(end_ms__isnull=True)
                | models.Q(end_ms__gt=models.F("start_ms")),
                name="ingest_cut_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"ingest job {self.pk} ({self.original_name}, {self.status})"

    def get_absolute_url(self) -> str:
        return reverse("ingest:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(self.progress * 100)

    @property
    def stage_label(self) -> str:
        """What the job is doing, in words, for the job page and the CLI."""
        if self.status == self.Status.QUEUED:
            return "Waiting to be retried" if self.attempts else "Waiting for a worker"
        if self.status == self.Status.DONE:
            return "Done: the draft is ready"
        if self.status == self.Status.FAILED:
            return "Failed"
        return self.get_stage_display()

    @property
    def duration_label(self) -> str:
        return format_duration(self.original_duration_ms)

    @property
    def cut_label(self) -> str:
        if self.start_ms is None and self.end_ms is None:
            return ""
        start = clock(self.start_ms or 0)
        end = clock(self.end_ms) if self.end_ms is not None else "the end"
        return f"{start} to {end}"

    @property
    def draft_label(self) -> str:
        """The draft as staff name it: "Draft #3" (its id, as the editor's address has it)."""
        return f"Draft #{self.clip_id}" if self.clip_id else ""

    @property
    def size_label(self) -> str:
        return wording.size(self.original_size)

    @property
    def timing_rows(self) -> list[tuple[str, str]]:
        return wording.timings(self.timings or {})

    @property
    def editor_url(self) -> str:
        return reverse("transcripts:editor", args=[self.clip_id]) if self.clip_id else ""
