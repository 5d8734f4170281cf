"""The live transcription's work: claim the channels with a window due, decode their windows
together, store each channel's final lines.

One round claims up to CLIPDESK_LIVE_BATCH_CHANNELS channels (most important first) and hands their
windows to `Pipeline.transcribe_many`, which decodes the speech of all of them in shared batches
(voice activity first: music, tone and silence cost almost nothing). `work` runs rounds until no
window is due. Every step is safe to repeat: see actions.store_window.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

from clipdesk.ingest.runner import get_pipeline
from clipdesk.ingest.validation import whisper_language
from clipdesk.pipeline import PipelineOptions
from clipdesk.pipeline.audio import MediaError
from clipdesk.pipeline.languages import bcp47
from clipdesk.recording.models import Segment

from . import actions
from .air import window_audio
from .models import LiveChannel, NotTranscribed
from .windows import Plan, settle

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"live:{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


@dataclass
class Round:
    """What one round did: windows stored, lines, seconds of air, and where the time went."""

    windows: int = 0
    lines: int = 0
    air_seconds: float = 0.0
    failed: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def work(
    *,
    worker: str | None = None,
    source_ids=None,
    rounds: int | None = None,
    force: bool = False,
    report: Callable[[Round], None] | None = None,
) -> Round:
    """Transcribes due windows, round after round, until none is due (or `rounds` were run).
    With `force`, a channel's last recorded air is taken even when short of a window (final)."""
    worker = worker or worker_name()
    total = Round()
    done = 0
    while rounds is None or done < rounds:
        limit = max(1, int(settings.CLIPDESK_LIVE_BATCH_CHANNELS))
        plans = actions.claim_due(worker, limit=limit, source_ids=source_ids, force=force)
        if not plans:
            break
        try:
            result = transcribe_round(plans, worker=worker)
        finally:
            actions.release(worker, [p.source_id for p in plans])
        done += 1
        total.windows += result.windows
        total.lines += result.lines
        total.air_seconds += result.air_seconds
        total.failed += result.failed
        for name, seconds in result.timings.items():
            total.timings[name] = round(total.timings.get(name, 0.0) + seconds, 3)
        if report is not None:
            report(result)
        if force and rounds is None:
            force = False  # once: the forced windows are done, the rest waits for its air
    return total


def options_for(live: LiveChannel) -> PipelineOptions:
    english = bool(settings.CLIPDESK_LIVE_ENGLISH) and live.english
    return PipelineOptions(
        languages=channel_languages(live),
        translate="whisper" if english else "none",
        speakers="none",
    )


def channel_languages(live: LiveChannel) -> tuple[str, ...]:
    codes = []
    for code in live.source.channel.usual_languages:
        try:
            codes.append(whisper_language(code))
        except ValidationError:
            log.warning("channel %s declares %r, which Whisper does not know", live.source.channel, code)
    return tuple(c for c in dict.fromkeys(codes) if c)


def transcribe_round(plans: list[Plan], *, worker: str) -> Round:
    """Decodes the claimed windows (those with the same options together) and stores each."""
    result = Round()
    started = time.perf_counter()
    lives = {
        live.source_id: live
        for live in LiveChannel.objects.select_related("source__channel").filter(
            source_id__in=[p.source_id for p in plans]
        )
    }
    audios = {}
    for window in plans:
        try:
            audios[window.source_id] = window_audio(window)
        except (MediaError, OSError) as exc:
            result.failed += 1
            actions.record_failure(window, f"the recording could not be read: {exc}", worker=worker)
    result.timings["read"] = round(time.perf_counter() - started, 3)

    group = [window for window in plans if window.source_id in audios]
    model_started = time.perf_counter()
    pipeline, _ = get_pipeline(settings.CLIPDESK_LIVE_WHISPER_MODEL_DIR)
    result.timings["model"] = round(time.perf_counter() - model_started, 3)
    if group:
        # Every channel's window in the same batches, each with its own languages and English switch.
        options = [options_for(lives[window.source_id]) for window in group]
        decode_started = time.perf_counter()
        try:
            decoded = pipeline.transcribe_many([audios[w.source_id] for w in group], options)
        except Exception as exc:
            # Counted against each window, so a window that always breaks the decoder is marked in
            # the end; raised again, so the job is retried once (Huey) and the cause is in the log.
            for window in group:
                actions.record_failure(window, f"{type(exc).__name__}: {exc}", worker=worker)
            raise
        result.timings["transcribe"] = round(time.perf_counter() - decode_started, 3)
        store_started = time.perf_counter()
        for window, own, (lines, _info) in zip(group, options, decoded, strict=True):
            for line in lines:
                line.language = bcp47(line.language) if line.language else ""
            rows, mark = settle(window, lines, english=own.translate != "none")
            try:
                ids = actions.store_window(window, rows, mark, worker=worker)
            except actions.WindowLost as exc:
                log.info("live transcription: %s", exc)
                continue
            result.windows += 1
            result.lines += len(ids)
            result.air_seconds += (mark - window.keep_from).total_seconds()
        result.timings["store"] = round(
            result.timings.get("store", 0.0) + time.perf_counter() - store_started, 3
        )
    log.info(
        "live transcription: %s window(s) of %s channel(s), %.0f s of air, %s line(s) in %.1f s (%s)",
        result.windows,
        len(plans),
        result.air_seconds,
        result.lines,
        time.perf_counter() - started,
        ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items()),
    )
    return result


def retranscribe(span_id: int) -> list[int]:
    """Transcribes a "not transcribed" span again, as one final window; marks it done, or failed again."""
    span = NotTranscribed.objects.select_related("source__channel").filter(pk=span_id).first()
    if span is None:  # deleted by retention (its recording is gone) while the job waited
        return []
    live, _ = LiveChannel.objects.select_related("source__channel").get_or_create(source=span.source)
    segments = list(
        Segment.objects.filter(source=span.source).overlapping(span.start, span.end).order_by("start")
    )
    window = Plan(
        source_id=span.source_id,
        expected=None,
        keep_from=span.start,
        read_from=max(span.start, segments[0].start) if segments else span.start,
        end=span.end,
        final=True,
        segments=segments,
    )
    if not segments:
        actions.span_failed(span_id, "the recording of this span is no longer stored")
        return []
    try:
        options = options_for(live)
        pipeline, _ = get_pipeline(settings.CLIPDESK_LIVE_WHISPER_MODEL_DIR)
        ((lines, _info),) = pipeline.transcribe_many([window_audio(window)], options)
    except (MediaError, OSError) as exc:
        actions.span_failed(span_id, f"the recording could not be read: {exc}")
        return []
    for line in lines:
        line.language = bcp47(line.language) if line.language else ""
    rows, _ = settle(window, lines, english=options.translate != "none")
    return actions.store_retried_span(span_id, rows)
