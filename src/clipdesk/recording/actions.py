"""Named actions on channel sources and their recordings: every write goes through one of these.

Staff actions (`add_source`, `change_source`) check permissions and keep the source's history;
`user=None` is a trusted local process (the CLI, the recorder). The recorder's writes (leases,
segments, gaps, status) are conditional on the lease it holds, so that a recorder that lost a
channel to another can never store a segment of it too.
"""

import datetime as dt
import itertools
import logging
import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clipdesk.archive.actions import get_or_create_channel, require
from clipdesk.archive.models import Channel
from clipdesk.media.actions import sha256_of

from .models import ChannelSource, Gap, Lease, Segment, check_time_zone
from .signals import segment_stored

log = logging.getLogger(__name__)
Kind = ChannelSource.Kind
Reason = Gap.Reason


class LeaseLost(Exception):
    """Another recorder holds the channel now: this one must stop recording it."""


def guess_kind(url: str) -> str:
    lowered = url.lower()
    if lowered.startswith("udp://"):
        return Kind.UDP
    if lowered.startswith(("http://", "https://")):
        return Kind.HLS if ".m3u8" in lowered else Kind.HTTP_TS
    return Kind.FOLDER


def check_source(source: ChannelSource) -> None:
    """Refuses a source that cannot be recorded as given (and tidies its URL)."""
    url = source.url.strip()
    if not url:
        raise ValidationError("A source needs a URL or a folder.")
    if source.kind not in Kind.values:
        raise ValidationError(
            f"The kind of source must be one of {', '.join(Kind.values)}, not {source.kind!r}."
        )
    schemes = {
        Kind.HLS: ("http://", "https://"),
        Kind.HTTP_TS: ("http://", "https://"),
        Kind.UDP: ("udp://",),
    }
    if source.kind in schemes and not url.lower().startswith(schemes[source.kind]):
        raise ValidationError(
            f"A {source.kind} source's URL starts with {' or '.join(schemes[source.kind])}."
        )
    if source.kind == Kind.FOLDER and not os.path.isabs(url):
        raise ValidationError("A watched folder is given by its absolute path.")
    check_time_zone(source.time_zone)
    source.url = url


def add_source(
    *, user, channel: Channel | str, url: str, kind: str = "", time_zone: str = "UTC", paused: bool = False
) -> ChannelSource:
    """Give a channel (a Channel, or a name: created if new) the source it is recorded from."""
    require(user, "recording.add_channelsource")
    with transaction.atomic():
        if isinstance(channel, str):
            channel = get_or_create_channel(user=user, name=channel)
        if ChannelSource.objects.filter(channel=channel).exists():
            raise ValidationError(f"{channel.name} has a source already; change it instead.")
        source = ChannelSource(
            channel=channel, url=url, kind=kind or guess_kind(url), time_zone=time_zone, paused=paused
        )
        check_source(source)
        source._history_user = user
        source.save()
        Lease.objects.create(source=source)
    return source


def change_source(source: ChannelSource, *, user, **fields) -> ChannelSource:
    """Change a source's URL, kind, time zone or pause it (paused=True) or resume it (False)."""
    require(user, "recording.change_channelsource")
    allowed = {"url", "kind", "time_zone", "paused"}
    if set(fields) - allowed:
        raise ValidationError(f"A source has no setting {', '.join(sorted(set(fields) - allowed))}.")
    with transaction.atomic():
        source = ChannelSource.objects.select_for_update().get(pk=source.pk)
        for name, value in fields.items():
            setattr(source, name, value)
        if "url" in fields and "kind" not in fields:
            source.kind = guess_kind(source.url)
        check_source(source)
        source._history_user = user
        source.save()
    return source


# -- what recorders do -------------------------------------------------------------------------------


def _expired(lease_seconds: float) -> Q:
    return (
        Q(holder="")
        | Q(heartbeat_at__isnull=True)
        | Q(heartbeat_at__lt=timezone.now() - dt.timedelta(seconds=lease_seconds))
    )


def acquire_leases(holder: str, *, lease_seconds: float, limit: int | None = None) -> dict[int, str]:
    """Take free or expired leases of active sources for `holder`: {source id: the previous holder}.

    Each lease is taken by a conditional update, so two recorders racing for one channel never both
    get it. A previous holder that is named lost the channel without letting go of it (it died)."""
    for source in ChannelSource.objects.filter(lease__isnull=True):
        Lease.objects.get_or_create(source=source)
    taken: dict[int, str] = {}
    candidates = Lease.objects.filter(_expired(lease_seconds), source__paused=False).values_list(
        "source_id", "holder"
    )
    for source_id, previous in candidates:
        if limit is not None and len(taken) >= limit:
            break
        now = timezone.now()
        won = Lease.objects.filter(_expired(lease_seconds), source_id=source_id, holder=previous).update(
            holder=holder, heartbeat_at=now, acquired_at=now
        )
        if won:
            taken[source_id] = previous
    return taken


def renew_leases(holder: str, source_ids) -> set[int]:
    """The heartbeat: renews `holder`'s leases; returns the sources it still holds (and are active)."""
    Lease.objects.filter(holder=holder, source_id__in=list(source_ids)).update(heartbeat_at=timezone.now())
    return set(
        Lease.objects.filter(holder=holder, source__paused=False, source_id__in=list(source_ids)).values_list(
            "source_id", flat=True
        )
    )


def release_leases(holder: str, source_ids) -> None:
    Lease.objects.filter(holder=holder, source_id__in=list(source_ids)).update(holder="", heartbeat_at=None)


def _holds(holder: str, source_id: int) -> bool:
    return Lease.objects.filter(holder=holder, source_id=source_id).exists()


def last_end(source_id: int) -> dt.datetime | None:
    return (
        Segment.objects.filter(source_id=source_id).order_by("-start").values_list("end", flat=True).first()
    )


def open_gap(source_id: int, reason: str, detail: str = "", *, start: dt.datetime | None = None) -> Gap:
    """Records that `source_id` is not being recorded, from the end of its last segment (or `start`).

    A gap already open stays the one gap: its first reason is the cause, later ones are its echo."""
    with transaction.atomic():
        gap = Gap.objects.filter(source_id=source_id, end__isnull=True).first()
        if gap is None:
            since = start or last_end(source_id) or timezone.now()
            gap = Gap.objects.create(source_id=source_id, start=since, reason=reason, detail=detail[:500])
            log.warning("recording: channel source %s: gap from %s: %s %s", source_id, since, reason, detail)
        ChannelSource.objects.filter(pk=source_id).update(
            status=reason, status_detail=detail[:500], status_at=timezone.now()
        )
    return gap


def close_gap(source_id: int, end: dt.datetime) -> None:
    """The recording resumed at `end`: the open gap (if any) ends there."""
    for gap in Gap.objects.filter(source_id=source_id, end__isnull=True):
        gap.end = max(end, gap.start)
        gap.save(update_fields=["end"])
        log.info(
            "recording: channel source %s: recording again after %.1f s (%s)",
            source_id,
            gap.seconds,
            gap.reason,
        )


def note_discontinuity(source_id: int, reason: str, detail: str, at: dt.datetime) -> None:
    """A break in the stream that lost nothing measurable (a discontinuity, a timestamp jump): a gap
    from the last segment's end to `at`, closed at once, so that it is on the record."""
    with transaction.atomic():
        since = last_end(source_id) or at
        Gap.objects.create(
            source_id=source_id, start=min(since, at), end=at, reason=reason, detail=detail[:500]
        )
    log.warning("recording: channel source %s: %s at %s: %s", source_id, reason, at, detail)


def set_status(source_id: int, status: str, detail: str = "") -> None:
    ChannelSource.objects.filter(pk=source_id).update(
        status=status, status_detail=detail[:500], status_at=timezone.now()
    )


def store_segment(
    source_id: int, path: Path, *, start: dt.datetime, end: dt.datetime, holder: str, suffix: str = ".ts"
) -> Segment:
    """Stores a complete segment file (written elsewhere first) and its row, or neither.

    Refused with LeaseLost when `holder` no longer holds the channel; a file stored but not recorded
    (a failed insert) is deleted again, so the storage never holds a segment the database does not."""
    if not _holds(holder, source_id):
        raise LeaseLost(f"channel source {source_id} is no longer held by {holder}")
    source = ChannelSource.objects.select_related("channel").get(pk=source_id)
    digest = sha256_of(path)
    segment = Segment(
        source=source,
        start=start,
        end=end,
        duration_ms=max(0, round((end - start).total_seconds() * 1000)),
        size=path.stat().st_size,
        sha256=digest,
        recorder=holder[:200],
    )
    field = segment.file.field
    name = field.generate_filename(segment, f"{start:%Y%m%dT%H%M%S%f}Z-{digest[:12]}{suffix}")
    with open(path, "rb") as handle:
        segment.file.name = default_storage.save(name, File(handle), max_length=field.max_length)
    try:
        with transaction.atomic():
            if not Lease.objects.select_for_update().filter(holder=holder, source_id=source_id).exists():
                raise LeaseLost(f"channel source {source_id} is no longer held by {holder}")
            segment.save()
            close_gap(source_id, start)
            ChannelSource.objects.filter(pk=source_id).exclude(status="recording").update(
                status="recording", status_detail="", status_at=timezone.now()
            )
            transaction.on_commit(
                lambda: segment_stored.send(sender=Segment, source_id=source_id, segment_id=segment.pk)
            )
    except BaseException:  # IntegrityError (stored already), LeaseLost, a database gone: no orphan file
        default_storage.delete(segment.file.name)
        raise
    return segment


# -- cutting a clip from the recording ---------------------------------------------------------------

# Segments closer than this are one continuous recording (timestamps are rounded to the millisecond).
JOIN_TOLERANCE = dt.timedelta(milliseconds=250)


def span_segments(source: ChannelSource, start: dt.datetime, end: dt.datetime) -> list[Segment]:
    """The segments that hold [start, end), in order; ValidationError, with the reason, when the span
    is not all recorded (outside the recording, or across a gap)."""
    zone = source.zone

    def local(moment: dt.datetime) -> str:
        return f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S} ({source.time_zone})"

    if end <= start:
        raise ValidationError("The out point must come after the in point.")
    segments = list(Segment.objects.filter(source=source).overlapping(start, end).order_by("start"))
    if not segments or segments[0].start > start + JOIN_TOLERANCE or segments[-1].end < end - JOIN_TOLERANCE:
        raise ValidationError(
            f"{source.channel.name} was not recorded for all of {local(start)} to {local(end)}: "
            "choose in and out points inside a recorded span."
        )
    for before, after in itertools.pairwise(segments):
        if after.start - before.end > JOIN_TOLERANCE:
            gap = Gap.objects.filter(source=source, start__lt=after.start, end__gt=before.end).first()
            why = f": {gap.get_reason_display().lower()}" if gap else ""
            raise ValidationError(
                f"The span crosses a gap in the recording from {local(before.end)} to {local(after.start)}{why}. "
                "Cut on one side of it."
            )
    return segments


def cut_clip(
    source: ChannelSource,
    *,
    user,
    start: dt.datetime,
    end: dt.datetime,
    title: str = "",
    language: str = "auto",
    publish_context: bool = False,
    transcribe_again: bool = False,
):
    """Cut [start, end) of a channel's recording into a draft clip, through the ingest pipeline.

    The draft's transcript is the channel's live transcript of the span where there is one (see
    the ingest app's prepared transcripts), unless `transcribe_again` asks for a fresh pass with
    the ingest pipeline's model (CLIPDESK_WHISPER_MODEL_DIR, which may be bigger than the live one).

    The span's segments are joined as they were stored and handed to ingest with the cut's offsets
    (ingest re-encodes the span, transcribes it and makes the draft, with its progress page); the job
    is linked to the span (ClipSource) with the segments' SHA-256, so the clip's provenance can be
    checked against the recording. Refused (ValidationError) when the span is not all recorded."""
    import tempfile

    from clipdesk.ingest.actions import create_ingest_job, require_ingest

    from .models import ClipSource

    require_ingest(user)
    segments = span_segments(source, start, end)
    offset = (start - segments[0].start).total_seconds()
    offset = max(0.0, offset)
    local = start.astimezone(source.zone)
    with tempfile.TemporaryDirectory(prefix="clipdesk-cut-") as tmp:
        joined = Path(tmp) / f"{source.channel.slug}-{start:%Y%m%dT%H%M%S}Z.ts"
        with open(joined, "wb") as out:
            for segment in segments:
                with default_storage.open(segment.file.name, "rb") as handle:
                    for block in iter(lambda h=handle: h.read(1 << 20), b""):
                        out.write(block)
        with transaction.atomic():
            job = create_ingest_job(
                joined,
                user=user,
                channel=source.channel,
                aired_on=local.date(),
                language=language,
                start=offset,
                end=offset + (end - start).total_seconds(),
                title=title.strip() or f"{source.channel.name}, {local:%Y-%m-%d %H:%M}",
                source=f"Recording of {source.channel.name}, {start:%Y-%m-%d %H:%M:%S} to {end:%H:%M:%S} UTC",
            )
            ClipSource.objects.create(
                job=job,
                source=source,
                start=start,
                end=end,
                offset_ms=round(offset * 1000),
                publish_context=publish_context,
                transcribe_again=transcribe_again,
                segments=[
                    {
                        "sha256": s.sha256,
                        "start": s.start.isoformat(),
                        "end": s.end.isoformat(),
                        "name": s.file.name,
                    }
                    for s in segments
                ],
            )
    log.info(
        "recording: clip cut from %s, %s to %s, as ingest job %s", source.channel.name, start, end, job.pk
    )
    return job
