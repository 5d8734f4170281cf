"""What the site knows of its own processes: the job workers' heartbeats, for /healthz."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running `clipdesk worker` process, touched every CLIPDESK_WORKER_HEARTBEAT_SECONDS.

    A worker that stops cleanly deletes its row; one that is killed leaves it to go stale, and the
    next worker to beat removes rows stale for a day.
    """

    worker = models.CharField(max_length=200, unique=True, help_text="host:pid of the process")
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker} (seen {self.seen_at:%Y-%m-%d %H:%M:%S})"
