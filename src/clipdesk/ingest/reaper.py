"""The reaper: re-enqueues the ingest jobs that the queue or a worker lost.

The periodic task `tasks.reap_ingest_jobs` runs it every minute, and `clipdesk repair` on demand
(`--only requeue-ingest-jobs`). Like every write to the jobs table it works by conditional updates, so
it is idempotent and safe beside running workers.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import conf, queue
from .actions import enqueue_on_commit
from .models import IngestJob

log = logging.getLogger(__name__)
Status = IngestJob.Status


@dataclass
class StaleJobs:
    """What `requeue_stale_jobs` found: ids of jobs re-enqueued or failed, and whether the queue was read."""

    abandoned: list[int] = field(default_factory=list)  # running, with a stale heartbeat: re-enqueued
    lost: list[int] = field(default_factory=list)  # queued, due, missing from the queue: re-enqueued
    failed: list[int] = field(default_factory=list)  # abandoned with no attempts left: failed
    queue_readable: bool = True

    @property
    def count(self) -> int:
        return len(self.abandoned) + len(self.lost) + len(self.failed)


def requeue_stale_jobs(*, dry_run: bool = False) -> StaleJobs:
    """Re-enqueue what the queue or a worker lost; idempotent, and safe while workers run.

    * A running job whose heartbeat is older than CLIPDESK_INGEST_STALE_SECONDS lost its worker
      (killed, out of memory, the machine restarted): it is queued again, or failed when its attempts
      are spent. The conditional update names the heartbeat it saw, so a worker that comes back to
      life in between keeps its job.
    * A queued job that is due since as long and whose message is not in the queue (a Redis restarted
      without persistence, a worker killed between taking the message and claiming the job) is
      enqueued again.
    """
    result = StaleJobs()
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=conf.stale_seconds())
    for job in IngestJob.objects.abandoned(cutoff):
        seen = IngestJob.objects.filter(pk=job.pk, status=Status.RUNNING, heartbeat_at=job.heartbeat_at)
        stage = job.get_stage_display().lower() or "its start"
        if job.attempts >= job.max_attempts:
            result.failed.append(job.pk)
            if not dry_run:
                seen.update(
                    status=Status.FAILED,
                    finished_at=now,
                    error=f"The worker stopped answering ({stage}) on attempt {job.attempts} of "
                    f"{job.max_attempts}: it was killed or ran out of memory. Retry to try again.",
                )
            continue
        result.abandoned.append(job.pk)
        if not dry_run:
            with transaction.atomic():
                if seen.update(
                    status=Status.QUEUED,
                    claimed_by="",
                    heartbeat_at=None,
                    enqueued_at=now,
                    due_at=now,
                    error=f"Attempt {job.attempts} stopped ({stage}): its worker stopped answering. "
                    "It will be retried.",
                ):
                    enqueue_on_commit(job.pk)

    waiting = list(IngestJob.objects.waiting_since(cutoff).values_list("pk", flat=True))
    if waiting:
        try:
            in_queue = queue.queued_job_ids()
        except Exception:  # Redis or SQLite down: say so, and guess nothing
            log.warning("ingest reaper: the queue cannot be read", exc_info=True)
            result.queue_readable = False
            return result
        for pk in waiting:
            if pk in in_queue:
                continue
            result.lost.append(pk)
            if not dry_run:
                with transaction.atomic():
                    IngestJob.objects.filter(pk=pk, status=Status.QUEUED).update(enqueued_at=now)
                    enqueue_on_commit(pk)
    return result
