"""Recording: channels' sources, the segments recorded from them, the gaps between, and who records.

Every time is stored in UTC. A segment's start and end are wall-clock times: the stream's program
date-time where it carries one, else the time it was received. A gap is every span a recorder knew it
was not recording, with the reason; one still open (no end yet) is a channel down now.
"""

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clipdesk.archive.models import Channel


def check_time_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{name!r} is not a time zone name (like Asia/Beirut or UTC).") from None


class SourceQuerySet(models.QuerySet):
    def active(self) -> "SourceQuerySet":
        return self.filter(paused=False)

    def with_storage(self) -> "SourceQuerySet":
        """Each with `stored_bytes`, the storage its segments take."""
        total = (
            Segment.objects.filter(source=OuterRef("pk"))
            .values("source")
            .annotate(total=Sum("size"))
            .values("total")
        )
        return self.annotate(stored_bytes=Subquery(total))

    def with_open_gap(self) -> "SourceQuerySet":
        """Each with `down_reason`, the reason of the gap open now (None while it records)."""
        reason = Gap.objects.filter(source=OuterRef("pk"), end__isnull=True).values("reason")[:1]
        return self.annotate(down_reason=Subquery(reason))

    def down(self) -> "SourceQuerySet":
        """Active sources with a gap open now: nothing is being recorded from them."""
        return self.active().filter(Exists(Gap.objects.filter(source=OuterRef("pk"), end__isnull=True)))


class ChannelSource(models.Model):
    """Where a channel is recorded from. One per channel; pausing it stops its recording."""

    class Kind(models.TextChoices):
        HLS = "hls", "HLS playlist"
        HTTP_TS = "http-ts", "MPEG-TS over HTTP"
        UDP = "udp", "MPEG-TS over UDP"
        FOLDER = "folder", "Watched folder"

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="recording_source")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.CharField(
        max_length=1000,
        help_text="http(s)://…/index.m3u8, http(s)://… (MPEG-TS), udp://host:port, or a folder's absolute path "
        "where a receiver drops its files.",
    )
    paused = models.BooleanField(default=False)
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[check_time_zone], help_text="For coverage and timelines."
    )
    # What the recorder last found: "recording", or a problem a monitor can act on.
    status = models.CharField(max_length=40, blank=True)
    status_detail = models.CharField(max_length=500, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["status", "status_detail", "status_at", "updated_at"])

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["channel__name"]

    def __str__(self) -> str:
        return f"{self.channel.name}: {self.url}"

    def get_absolute_url(self) -> str:
        return reverse("recording:coverage", args=[self.channel.slug])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Lease(models.Model):
    """Which recorder holds a channel. The holder renews `heartbeat_at`; a lease not renewed within
    the lease time is free for any recorder to take (a recorder killed with kill -9 renews nothing)."""

    source = models.OneToOneField(ChannelSource, on_delete=models.CASCADE, related_name="lease")
    holder = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source.channel.name}: {self.holder or 'free'}"


class SegmentQuerySet(models.QuerySet):
    def overlapping(self, start: dt.datetime, end: dt.datetime) -> "SegmentQuerySet":
        return self.filter(start__lt=end, end__gt=start)

    def clip_sources(self) -> "SegmentQuerySet":
        """Segments a clip was cut from: kept forever."""
        return self.filter(
            Exists(
                ClipSource.objects.filter(
                    source=OuterRef("source"), start__lt=OuterRef("end"), end__gt=OuterRef("start")
                )
            )
        )

    def expendable(self) -> "SegmentQuerySet":
        return self.exclude(pk__in=self.clip_sources().values("pk"))


def segment_path(segment: "Segment", filename: str) -> str:
    return f"recordings/{segment.source.channel.slug}/{segment.start:%Y/%m/%d/%H}/{filename}"


class Segment(models.Model):
    """A few seconds of a channel, as received (remuxed, never re-encoded), in MPEG-TS."""

    source = models.ForeignKey(ChannelSource, on_delete=models.CASCADE, related_name="segments")
    file = models.FileField(upload_to=segment_path, max_length=300)
    start = models.DateTimeField()
    end = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    recorder = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SegmentQuerySet.as_manager()

    class Meta:
        ordering = ["source", "start"]
        indexes = [models.Index(fields=["source", "start"], name="recording_segment_start")]
        constraints = [
            models.UniqueConstraint(fields=["source", "start"], name="recording_one_segment_per_start")
        ]

    def __str__(self) -> str:
        return f"{self.source.channel.name} {self.start:%Y-%m-%d %H:%M:%S}"


class Gap(models.Model):
    """A span in which a channel was not recorded, and why. `end` is empty while it lasts."""

    class Reason(models.TextChoices):
        STALL = "stall", "The stream stalled (no data)"
        CLOSED = "closed", "The connection closed"
        UNREACHABLE = "unreachable", "The source could not be reached"
        SKIPPED = "skipped", "The playlist skipped segments"
        DISCONTINUITY = "discontinuity", "The stream announced a discontinuity"
        CLOCK = "clock", "The stream's timestamps jumped"
        NOT_A_STREAM = "not-a-stream", "The source is not a media stream"
        NO_AUDIO = "no-audio", "The stream has no audio"
        CODEC = "codec", "A codec the recordings cannot hold"
        DISK_FULL = "disk-full", "The disk is full"
        STORAGE = "storage", "The media storage did not answer"
        RECORDER = "recorder", "The recorder holding the channel stopped"
        PAUSED = "paused", "Recording paused"

    source = models.ForeignKey(ChannelSource, on_delete=models.CASCADE, related_name="gaps")
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["source", "start"]
        indexes = [models.Index(fields=["source", "start"], name="recording_gap_start")]

    def __str__(self) -> str:
        return f"{self.source.channel.name} {self.start:%Y-%m-%d %H:%M:%S}: {self.reason}"

    @property
    def seconds(self) -> float:
        return ((self.end or timezone.now()) - self.start).total_seconds()


class ClipSource(models.Model):
    """Where a clip was cut from: the span of a channel's recording, with the hashes of the segments
    it was joined from. The segments of every such span are kept forever."""

    job = models.OneToOneField("ingest.IngestJob", on_delete=models.CASCADE, related_name="recording_span")
    source = models.ForeignKey(ChannelSource, on_delete=models.PROTECT, related_name="clip_spans")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # [{"sha256", "start", "end", "name"}, ...] of the segments joined, in order, and where in the first
    # one the cut begins: a reader can fetch the same bytes and check the cut.
    segments = models.JSONField(default=list)
    offset_ms = models.PositiveIntegerField(help_text="Where the cut starts in the first segment.")
    publish_context = models.BooleanField(
        default=False, help_text="Publish the surrounding minutes' transcript beside the clip."
    )
    transcribe_again = models.BooleanField(
        default=False, help_text="Transcribe the clip again instead of reusing the live transcript."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["source", "start"], name="recording_clipsource_start")]

    def __str__(self) -> str:
        return f"{self.source.channel.name} {self.start:%Y-%m-%d %H:%M:%S}"
