"""The record of erasures of personal data: when, by whom, why and how many rows; never whose."""

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
