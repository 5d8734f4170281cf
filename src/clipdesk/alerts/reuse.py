"""A clip cut from a channel's recording takes the live transcript of its span as its draft, instead
of being transcribed again (unless the monitor asked for that on the cut form): the lines that
cover the span, retimed to the clip, with their languages, English drafts, words and the
safeguards' marks."""

import datetime as dt
import logging

from clipdesk.ingest.prepared import Prepared
from clipdesk.pipeline.transcribe import Segment, Word
from clipdesk.recording.models import ClipSource

from .models import LiveChannel, LiveLine, NotTranscribed

log = logging.getLogger(__name__)


def covered(source_id: int, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether the live transcript of [start, end) is complete: the watermark is past it and no
    part of it was given up on."""
    live = LiveChannel.objects.filter(source_id=source_id).first()
    if live is None or live.watermark is None or live.watermark < end:
        return False
    return not NotTranscribed.objects.filter(source_id=source_id).open().overlapping(start, end).exists()


def live_transcript(job, duration: float) -> Prepared | None:
    span = ClipSource.objects.filter(job_id=job.pk).first()
    if span is None or span.transcribe_again:
        return None
    if not covered(span.source_id, span.start, span.end):
        log.info("ingest job %s: the live transcript does not cover its span yet; transcribing", job.pk)
        return None
    lines = LiveLine.objects.for_source(span.source_id).between(span.start, span.end).order_by("start")
    limit = round(duration * 1000)
    segments: list[Segment] = []
    seconds: dict[str, float] = {}
    for line in lines:
        middle = line.start + (line.end - line.start) / 2
        if not span.start <= middle < span.end:
            continue  # mostly outside the clip: left to the neighbouring clip
        offset = round((line.start - span.start).total_seconds() * 1000)
        start_ms = max(0, offset)
        end_ms = min(limit, round((line.end - span.start).total_seconds() * 1000))
        words = [
            Word(offset + int(w[0]), offset + int(w[1]), str(w[2]), float(w[3]))
            for w in line.words
            if 0 <= offset + int(w[0]) < limit
        ]
        english = line.text if line.language == "en" else line.english
        segments.append(
            Segment(
                start_ms=start_ms,
                end_ms=max(start_ms, end_ms),
                text=line.text,
                words=words,
                speaker=line.speaker,
                language=line.language,
                translation=english,
                uncertain=list(line.uncertain),
            )
        )
        seconds[line.language] = seconds.get(line.language, 0.0) + (end_ms - start_ms) / 1000
    if not segments:
        return None
    return Prepared(segments=segments, origin="live transcript", languages=seconds)
