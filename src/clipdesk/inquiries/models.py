"""The request desk: readers' requests for clips, research or an expert, and translation-error reports."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clipdesk.archive.models import Clip
from clipdesk.transcripts.models import Segment

STATUS_LINK_SALT = "clipdesk.inquiries.status"


@dataclass(frozen=True)
class StatusChange:
    status: str
    label: str
    at: dt.datetime
    reply: str


class InquiryQuerySet(models.QuerySet):
    def open(self) -> "InquiryQuerySet":
        return self.filter(status__in=Inquiry.OPEN)

    def closed(self) -> "InquiryQuerySet":
        return self.exclude(status__in=Inquiry.OPEN)

    def with_status(self, status: str) -> "InquiryQuerySet":
        return self.filter(status=status)

    def assigned_to(self, user) -> "InquiryQuerySet":
        return self.filter(assignee=user)

    def for_queue(self) -> "InquiryQuerySet":
        """Soonest deadline first, then oldest: the order the desk works in."""
        return self.select_related("assignee").order_by(
            models.F("deadline").asc(nulls_last=True), "created_at", "pk"
        )

    def by_status_token(self, token: str) -> "Inquiry":
        """The request a private status link names; DoesNotExist for a forged or mangled link."""
        try:
            public_id = uuid.UUID(hex=signing.Signer(salt=STATUS_LINK_SALT).unsign(token))
        except (signing.BadSignature, ValueError):
            raise Inquiry.DoesNotExist("No request has this status link.") from None
        return self.get(public_id=public_id)


class Inquiry(models.Model):
    """A request to the desk. `status` moves new → assigned → in progress → fulfilled or declined."""

    class Category(models.TextChoices):
        MEDIA = "media", "Media"
        GOVERNMENT = "government", "Government"
        ACADEMIA = "academia", "Academia"
        OTHER = "other", "Other"

    class Kind(models.TextChoices):
        CLIP = "clip", "A clip"
        RESEARCH = "research", "Research"
        EXPERT = "expert", "An expert consultation or interview"

    class Status(models.TextChoices):
        NEW = "new", "New"
        ASSIGNED = "assigned", "Assigned"
        IN_PROGRESS = "in_progress", "In progress"
        FULFILLED = "fulfilled", "Fulfilled"
        DECLINED = "declined", "Declined"

    OPEN = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)
    # Where each status may go next. Assigning a new request moves it to "assigned" (see actions.assign).
    TRANSITIONS = {
        Status.NEW: (Status.ASSIGNED, Status.DECLINED),
        Status.ASSIGNED: (Status.IN_PROGRESS, Status.FULFILLED, Status.DECLINED),
        Status.IN_PROGRESS: (Status.FULFILLED, Status.DECLINED),
        Status.FULFILLED: (),
        Status.DECLINED: (),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.CharField("requester category", max_length=20, choices=Category.choices)
    kind = models.CharField("request kind", max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    deadline = models.DateField(null=True, blank=True)
    details = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_inquiries",
        editable=False,
    )
    reply = models.TextField(
        blank=True,
        editable=False,
        help_text="The message sent to the requester with the latest change of status.",
    )
    result_clip = models.ForeignKey(
        Clip, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    result_url = models.URLField(
        max_length=500,
        blank=True,
        editable=False,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="A report or other result that is not a clip.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the personal data was erased (see privacy)."
    )
    history = HistoricalRecords()

    objects = InquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "request"
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"Request {self.pk}: {self.get_kind_display()} for {self.organisation or self.name}"

    def get_absolute_url(self) -> str:
        """The desk's page for this request (staff only)."""
        return reverse("inquiries:desk-request", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return self.TRANSITIONS[self.status]

    def timeline(self) -> list[StatusChange]:
        """Each change of status, oldest first, with the message sent to the requester (from history)."""
        changes: list[StatusChange] = []
        rows = self.history.order_by("history_date", "history_id").values_list(
            "status", "history_date", "reply"
        )
        for status, at, reply in rows:
            if not changes or changes[-1].status != status:
                changes.append(StatusChange(status, Inquiry.Status(status).label, at, reply))
        return changes

    @property
    def status_token(self) -> str:
        """Signed and unguessable: the signature covers a random UUID that appears nowhere else."""
        return signing.Signer(salt=STATUS_LINK_SALT).sign(self.public_id.hex)

    @property
    def status_url(self) -> str:
        """Absolute address of the requester's private status page, for emails."""
        return settings.CLIPDESK_BASE_URL + reverse("inquiries:status", args=[self.status_token])


class InquiryNote(models.Model):
    """An internal note on a request: staff only, never sent to the requester."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "internal note"

    def __str__(self) -> str:
        return f"Note on request {self.inquiry_id}"


class TranslationReportQuerySet(models.QuerySet):
    def open(self) -> "TranslationReportQuerySet":
        return self.filter(status=TranslationReport.Status.NEW)

    def for_clip(self, clip: Clip) -> "TranslationReportQuerySet":
        return self.filter(clip=clip)

    def for_queue(self) -> "TranslationReportQuerySet":
        return self.select_related("clip", "segment").order_by("created_at", "pk")


class TranslationReport(models.Model):
    """A reader's report that a transcript line is mistranslated.

    The line's texts are quoted at report time: the segment may be corrected (or re-imported) later,
    and the desk must still see what the reader saw.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        CORRECTED = "corrected", "Corrected"
        DISMISSED = "dismissed", "Dismissed"

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="translation_reports")
    segment = models.ForeignKey(
        Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="translation_reports"
    )
    position = models.PositiveIntegerField(help_text="The line's position when it was reported.")
    quoted_original = models.TextField(blank=True)
    quoted_english = models.TextField(blank=True)
    note = models.TextField()
    reporter_email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, editable=False)
    reply = models.TextField(blank=True, editable=False, help_text="The message sent to the reporter.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the personal data was erased (see privacy)."
    )
    history = HistoricalRecords()

    objects = TranslationReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Translation report {self.pk} on {self.clip.reference} line {self.position + 1}"

    def get_absolute_url(self) -> str:
        return reverse("inquiries:desk-report", args=[self.pk])
