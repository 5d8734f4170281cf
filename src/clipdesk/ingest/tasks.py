"""Background work of the ingest app: running a job, and reaping the jobs the queue or a worker lost.

`run_ingest_job(job_id)` is thin: it re-reads the job row, returns at once unless it can claim the
job, runs one attempt (runner.process) and stores the result in one transaction (actions.complete_job).
Failures are sorted into permanent ones (the file, the model: failed at once, with the message) and
transient ones (the database busy, the disk full: retried with a growing delay, then failed).
"""

import contextlib
import errno
import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.db import InterfaceError, OperationalError
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from clipdesk.pipeline.audio import MediaError
from clipdesk.pipeline.models import ModelError
from clipdesk.pipeline.translate import TranslationError

from . import actions, reaper
from .models import IngestJob
from .runner import Reporter, process, work_dir

log = logging.getLogger(__name__)

# OSErrors worth another attempt later: the disk or the machine is short of something for now.
_TRANSIENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EIO,
    errno.EAGAIN,
    errno.EBUSY,
    errno.ETIMEDOUT,
    errno.ENOMEM,
}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: the database was busy or unreachable, the disk full, memory short."""
    if isinstance(exc, OperationalError | InterfaceError | MemoryError):
        return True
    return isinstance(exc, OSError) and exc.errno in _TRANSIENT_ERRNOS


@db_task()
def run_ingest_job(job_id: int) -> None:
    execute_job(job_id)


@db_periodic_task(crontab(minute="*"))
def reap_ingest_jobs() -> None:
    """Every minute, in the one worker that runs the periodic schedule."""
    result = reaper.requeue_stale_jobs()
    if result.count:
        log.warning(
            "ingest reaper: re-enqueued abandoned %s and lost %s, failed %s",
            result.abandoned,
            result.lost,
            result.failed,
        )


def execute_job(job_id: int, *, worker: str | None = None, on_progress: Callable | None = None) -> str:
    """Runs one attempt at the job if it is queued; returns the job's status afterwards.

    `on_progress(stage, progress)` sees what the job row is told (the CLI draws its bar from it).
    """
    worker = worker or worker_name()
    job = actions.claim_job(job_id, worker=worker)
    if job is None:
        status = IngestJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        log.info("ingest job %s not claimed by %s: it is %s", job_id, worker, status or "gone")
        return status or ""
    started = time.perf_counter()
    work = work_dir(job_id) / f"attempt-{job.attempts}"
    try:
        _clear_earlier_attempts(work)
        work.mkdir(parents=True)
        reporter = Reporter(job_id, worker, on_change=on_progress).start()
        try:
            outcome = process(job, work, reporter)
        finally:
            reporter.stop()
        stored = time.perf_counter()
        timings = {**outcome.timings, "audio_seconds": round(outcome.duration, 3)}
        clip = actions.complete_job(job_id, outcome, worker=worker, timings=timings)
        timings["store"] = round(time.perf_counter() - stored, 3)
        timings["total"] = round(time.perf_counter() - started, 3)
        if clip is not None:
            IngestJob.objects.filter(pk=job_id).update(timings=timings)
            _log_timings(job_id, clip.pk, timings, outcome)
    except actions.JobLost:
        log.info("ingest job %s: no longer %s's (cancelled, or taken over); stopped", job_id, worker)
    except (MediaError, ModelError, TranslationError) as exc:
        # The file or the model is at fault: another attempt would fail the same way.
        log.warning("ingest job %s failed: %s", job_id, exc)
        actions.fail_job(job_id, str(exc), worker=worker)
    except KeyboardInterrupt:
        actions.release_job(job_id, worker=worker)
        raise
    except Exception as exc:
        if is_transient(exc):
            delay = actions.retry_later(job_id, f"{type(exc).__name__}: {exc}.", worker=worker)
            log.warning("ingest job %s: transient failure (%s); retry in %s s", job_id, exc, delay)
        else:
            log.exception("ingest job %s failed unexpectedly", job_id)
            actions.fail_job(
                job_id,
                f"Unexpected error: {type(exc).__name__}: {exc}. The worker's log has the details; "
                "retry once the cause is fixed.",
                worker=worker,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):
            work.parent.rmdir()  # when no other attempt is using it
    return IngestJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""


def _clear_earlier_attempts(work: Path) -> None:
    """Removes the scratch space earlier attempts at the job left: a killed worker cleans up nothing.
    Each attempt has its own, so this never touches the files of the attempt that holds the job."""
    if work.parent.is_dir():
        for other in work.parent.iterdir():
            if other != work:
                shutil.rmtree(other, ignore_errors=True)


def _log_timings(job_id: int, clip_id: int, timings: dict, outcome) -> None:
    steps = ("model", "cut", "decode", "transcribe", "translate", "rendition", "poster", "store")
    parts = ", ".join(f"{step} {timings[step]:.1f}" for step in steps if step in timings)
    audio = timings.get("audio_seconds") or 0
    rtf = timings["total"] / audio if audio else 0
    log.info(
        "ingest job %s done as clip id:%s in %.1f s (%s); %.1f s of %s audio, %d segments, real-time factor %.2f",
        job_id,
        clip_id,
        timings["total"],
        parts,
        audio,
        outcome.language,
        len(outcome.segments),
        rtf,
    )
