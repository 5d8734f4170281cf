"""What the site keeps about itself: the record of erasures of personal data (when, by whom, why and
how many rows; never whose), and the job workers' heartbeats for /healthz."""

from django.conf import settings
from django.db import models


class Erasure(models.Model):
    """One erasure: a person's data erased on request, or a scheduled purge past the retention periods.

    It names no one: the address erased is not kept, only the count of each kind of row it touched,
    so that the record itself is not personal data about the person who asked.
    """

    class Reason(models.TextChoices):
        ON_REQUEST = "on_request", "Erased on request"
        RETENTION = "retention", "Past its retention period"

    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who erased; empty for the schedule or the command line.",
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    counts = models.JSONField(default=dict, help_text="Rows anonymised or deleted, by kind.")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "erasure of personal data"
        verbose_name_plural = "erasures of personal data"
        permissions = [("erase_personal_data", "Can erase a person's data on request")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on {self.at:%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        return ", ".join(f"{count} {kind}" for kind, count in self.counts.items() if count) or "nothing"


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
