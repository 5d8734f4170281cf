"""The work of one attempt at a job: everything between claiming it and storing its result.

Nothing here writes the clip: `process` returns an `Outcome` (segments, the playable file, the
poster) and actions.complete_job stores it in one transaction. While it works, a `Reporter` thread
keeps the job row's stage, progress and heartbeat current, about once a second, and notices when
the row is no longer this worker's (cancelled, or reaped and taken by another worker).
"""

import logging
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from clipdesk.media.streams import StoredStream
from clipdesk.pipeline import Pipeline, PipelineOptions
from clipdesk.pipeline.audio import NoSpeechError, decode_audio
from clipdesk.pipeline.cut import cut_media
from clipdesk.pipeline.media import extract_poster, is_web_playable, make_demo_video, make_web_rendition
from clipdesk.pipeline.transcribe import Segment

from . import conf
from .actions import JobLost
from .models import IngestJob, safe_file_name
from .prepared import prepared_transcript
from .validation import whisper_language

log = logging.getLogger(__name__)

Stage = IngestJob.Stage


# -- the model, loaded once per process --------------------------------------------------------------

_pipelines: dict[tuple, Pipeline] = {}
_pipelines_lock = threading.Lock()


def get_pipeline(model_dir: str | None = None) -> tuple[Pipeline, bool]:
    """The configured Whisper model (or the one in `model_dir`), loaded on first use and kept for
    the life of the process.

    Returns the pipeline and whether this call loaded it. A model that fails to load (ModelError)
    is not remembered, so a repaired installation is picked up by the next job.
    """
    key = (
        model_dir or conf.get("CLIPDESK_WHISPER_MODEL_DIR"),
        conf.get("CLIPDESK_WHISPER_DEVICE"),
        conf.get("CLIPDESK_WHISPER_COMPUTE_TYPE"),
    )
    with _pipelines_lock:
        if key in _pipelines:
            return _pipelines[key], False
        pipeline = Pipeline(model_dir=key[0], device=key[1], compute_type=key[2])
        _pipelines[key] = pipeline
        return pipeline, True


# -- progress and heartbeat --------------------------------------------------------------------------


class Reporter:
    """Writes the job's stage, progress and heartbeat from a background thread.

    The worker's own thread only sets values in memory (`stage`, `progress`), so decoding is never held
    up by the database. A write happens when something changed (at most once per `interval`) and at
    least every `conf.heartbeat_seconds()`, also during long steps that report nothing (a rendition),
    so a live worker's job never looks abandoned. `on_change(stage, progress)` sees each value written.
    """

    def __init__(self, job_id: int, worker: str, *, on_change: Callable | None = None, interval: float = 1.0):
        self.job_id, self.worker, self.on_change, self.interval = job_id, worker, on_change, interval
        self._state = (Stage.NONE, 0.0)
        self._written: tuple | None = None
        self._last_write = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.lost = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"ingest-{job_id}-reporter", daemon=True)

    def set(self, stage: str | None = None, progress: float | None = None) -> None:
        if self.lost.is_set():
            raise JobLost(f"ingest job {self.job_id} is no longer this worker's")
        with self._lock:
            old_stage, old_progress = self._state
            stage = old_stage if stage is None else stage
            progress = (0.0 if stage != old_stage else old_progress) if progress is None else progress
            self._state = (stage, round(min(1.0, max(0.0, progress)), 4))

    def start(self) -> "Reporter":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(min(self.interval, conf.heartbeat_seconds())):
                self._write()
        finally:
            connection.close()  # this thread's own connection

    def _write(self) -> None:
        with self._lock:
            state = self._state
        due = time.monotonic() - self._last_write >= conf.heartbeat_seconds()
        if state == self._written and not due:
            return
        try:
            updated = IngestJob.objects.filter(
                pk=self.job_id, status=IngestJob.Status.RUNNING, claimed_by=self.worker
            ).update(stage=state[0], progress=state[1], heartbeat_at=timezone.now())
        except DatabaseError:
            # A busy database delays a heartbeat; the next one tries again.
            log.warning("ingest job %s: progress not written this time", self.job_id, exc_info=True)
            close_old_connections()
            return
        if not updated:
            self.lost.set()
            return
        self._written, self._last_write = state, time.monotonic()
        if self.on_change is not None:
            self.on_change(*state)


# -- one attempt -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What an attempt produced, ready to store."""

    segments: list[Segment]
    language: str
    language_probability: float
    speaker_mode: str
    duration: float
    media: Path
    poster: Path | None
    derived: bool  # `media` was made here (a cut or a rendition), not the original itself
    timings: dict[str, float] = field(default_factory=dict)
    languages: dict[str, float] = field(default_factory=dict)  # seconds of speech per Whisper code


class Timer:
    def __init__(self):
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - started, 3)


class Steps:
    """The pipeline's ``progress`` callback: shows its step ("transcribe", "translate") and the
    fraction done on the job, and counts the time since the previous report towards the step
    reported (the pipeline translates each group of lines as soon as they are decoded)."""

    STAGES = {"transcribe": Stage.TRANSCRIBE, "translate": Stage.TRANSLATE}

    def __init__(self, timer: Timer, reporter: Reporter):
        self.timer, self.reporter = timer, reporter
        self.step, self.since = "transcribe", time.perf_counter()
        reporter.set(Stage.TRANSCRIBE)

    def __call__(self, step: str, fraction: float) -> None:
        self._count(step)
        self.reporter.set(self.STAGES[step], fraction)

    def done(self) -> None:
        self._count(self.step)

    def _count(self, step: str) -> None:
        now = time.perf_counter()
        self.timer.timings[step] = round(self.timer.timings.get(step, 0.0) + now - self.since, 3)
        self.step, self.since = step, now


def work_dir(job_id: int) -> Path:
    """Scratch space for a job's attempts, under CLIPDESK_VAR_DIR (one folder per attempt)."""
    return Path(settings.VAR_DIR) / "ingest-work" / str(job_id)


def process(job: IngestJob, work: Path, reporter: Reporter) -> Outcome:
    """Runs the pipeline on the job's original (or takes the transcript an app prepared for it, see
    `prepared`) and makes the clip's playable file and poster."""
    timer = Timer()
    source = _local_original(job, work)
    cut = job.start_ms is not None or job.end_ms is not None
    if cut:
        with timer("cut"):
            reporter.set(Stage.CUT)
            start = job.start_ms / 1000 if job.start_ms is not None else None
            end = job.end_ms / 1000 if job.end_ms is not None else None
            source = cut_media(
                source,
                work / f"{_stem(job.original_name)}-cut.mp4",
                start,
                end,
                progress=lambda f: reporter.set(progress=f),
            )

    with timer("decode"):
        reporter.set(Stage.DECODE)
        audio = decode_audio(source)

    ready = prepared_transcript(job, audio.duration)
    if ready is not None:
        log.info("ingest job %s: the %s is its draft (%d lines)", job.pk, ready.origin, len(ready.segments))
        segments, languages = ready.segments, dict(ready.languages)
        language = ready.language
        probability, speaker_mode, after_vad = 1.0, "none", audio.duration
    else:
        segments, info = _transcribe(job, audio, timer, reporter)
        languages, language, probability = dict(info.languages), info.language, info.language_probability
        speaker_mode, after_vad = info.speaker_mode, info.duration_after_vad
    if not any(s.text.strip() for s in segments):
        raise NoSpeechError(
            job.original_name,
            f"no speech found: the voice activity detector found {after_vad:.1f} s of speech "
            f"in {audio.duration:.1f} s, and nothing was recognised in it. No draft was made; check that "
            "this is the right recording, or the right part of it.",
        )

    stem = _stem(job.original_name)
    with timer("rendition"):
        reporter.set(Stage.RENDITION)
        media, derived = _playable(source, work / f"{stem}.mp4", job, made_here=cut)
    with timer("poster"):
        reporter.set(Stage.POSTER)
        poster = extract_poster(media, work / f"{stem}-poster.jpg", at_seconds=min(1.0, audio.duration / 2))

    return Outcome(
        segments=segments,
        language=language,
        language_probability=probability,
        languages=languages,
        speaker_mode=speaker_mode,
        duration=audio.duration,
        media=media,
        poster=poster,
        derived=derived,
        timings=timer.timings,
    )


def _transcribe(job: IngestJob, audio, timer: Timer, reporter: Reporter) -> tuple[list[Segment], Any]:
    with timer("model"):
        reporter.set(Stage.MODEL)
        pipeline, _ = get_pipeline()
    model = conf.get("CLIPDESK_TRANSLATION_MODEL_DIR")
    options = PipelineOptions(
        language=whisper_language(job.language),
        languages=channel_languages(job),
        translate=job.translate,
        translation_model=str(model) if model else None,
        speakers=job.speakers,
    )
    steps = Steps(timer, reporter)
    # A translation model that cannot load fails here, before any decoding.
    stream, info = pipeline.transcribe(audio, options, progress=steps)
    segments = list(stream)  # decoded and translated lazily: progress arrives line by line
    steps.done()
    return segments, info


def channel_languages(job: IngestJob) -> tuple[str, ...]:
    """The Whisper codes of the languages the job's channel declares (none: any language). A code
    Whisper does not know is left out, with a warning, rather than failing every job of the channel."""
    if not job.channel_id or not job.channel.usual_languages:
        return ()
    codes = []
    for code in job.channel.usual_languages:
        try:
            codes.append(whisper_language(code))
        except ValidationError:
            log.warning("channel %s declares %r, which Whisper does not know", job.channel, code)
    return tuple(c for c in dict.fromkeys(codes) if c)


def _local_original(job: IngestJob, work: Path) -> Path:
    """The original as a local file: in place on a file system storage, else copied into `work`."""
    try:
        return Path(job.original.path)
    except NotImplementedError:  # remote storage (S3): fetch a copy
        local = work / Path(job.original.name).name
        with StoredStream(job.original.storage, job.original.name) as remote, open(local, "wb") as handle:
            shutil.copyfileobj(remote, handle, 1 << 20)
        return local


def _stem(name: str) -> str:
    """The stem of what is made from the original (the stored asset keeps it in its name)."""
    return Path(safe_file_name(name)).stem


def _playable(source: Path, dst: Path, job: IngestJob, *, made_here: bool) -> tuple[Path, bool]:
    """What the clip plays: H.264/AAC MP4, with pictures.

    A recording without pictures becomes a still-picture video, so that the captioned player has a
    frame to show its captions on; a video that browsers cannot play is re-encoded.
    """
    if not _has_video(source):
        title = job.channel.name if job.channel_id else job.title or job.original_name
        return make_demo_video(source, dst, title), True
    if is_web_playable(source):
        return source, made_here
    return make_web_rendition(source, dst), True


def _has_video(path: Path) -> bool:
    with av.open(str(path), metadata_errors="ignore") as container:
        return bool(container.streams.video)
