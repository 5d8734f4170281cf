"""Named actions of the request desk: every write to a request or a translation report goes through one.

Each checks the permission, changes the data in one transaction with its history entry, and enqueues
the emails after commit, passing ids. `user=None` means a trusted local process. The two public
actions (`submit_request`, `report_translation_error`) take the sender's IP for the rate limits.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from clipdesk import ratelimits
from clipdesk.archive.actions import require
from clipdesk.archive.models import Clip
from clipdesk.transcripts.models import Segment

from . import tasks
from .models import Inquiry, InquiryNote, TranslationReport

NOTE_MAX_LENGTH = 2000


def _save(instance, user) -> None:
    """Save with the history entry attributed to `user` (None for readers and local processes)."""
    instance._history_user = user
    instance.save()


def _lock(instance):
    return type(instance).objects.select_for_update().get(pk=instance.pk)


def desk_staff():
    """Active users who may work requests: the people a request can be assigned to."""
    # Named, because with_perm() refuses to guess once a second backend (e.g. a lockout one) is configured.
    return (
        get_user_model()
        .objects.with_perm("inquiries.change_inquiry", backend="django.contrib.auth.backends.ModelBackend")
        .order_by("username")
    )


def submit_request(
    *,
    category: str,
    kind: str,
    name: str,
    email: str,
    details: str,
    organisation: str = "",
    deadline: dt.date | None = None,
    ip: str | None = None,
) -> Inquiry:
    """Record a reader's request and email them a confirmation with their private status link.

    Raises ValidationError for a field the model refuses and RateLimited when this IP or this
    email address has sent too many requests (settings CLIPDESK_REQUEST_IP_LIMIT, default "10/h",
    and CLIPDESK_REQUEST_ADDRESS_LIMIT, default "5/d").
    """
    inquiry = Inquiry(
        category=category,
        kind=kind,
        name=name.strip(),
        organisation=organisation.strip(),
        email=email.strip(),
        deadline=deadline,
        details=details.strip(),
    )
    inquiry.full_clean()
    too_many = "You have sent several requests already. Please try again later, or write to the desk."
    ratelimits.hit("request-ip", ip, settings.CLIPDESK_REQUEST_IP_LIMIT, too_many)
    ratelimits.hit("request-address", inquiry.email, settings.CLIPDESK_REQUEST_ADDRESS_LIMIT, too_many)
    with transaction.atomic():
        _save(inquiry, None)
        transaction.on_commit(lambda: tasks.send_request_received(inquiry.pk), robust=True)
    return inquiry


def _status_changed(inquiry: Inquiry) -> None:
    """Email the requester about the change just saved (the newest history row) once it commits."""
    history_id = inquiry.history.latest().history_id
    transaction.on_commit(lambda: tasks.send_request_status(history_id), robust=True)


def assign(inquiry: Inquiry, *, user, assignee) -> Inquiry:
    """Give an open request to a member of the desk; a new request becomes "assigned"."""
    require(user, "inquiries.change_inquiry")
    if not desk_staff().filter(pk=assignee.pk).exists():
        raise ValidationError(f"{assignee} cannot work requests, so cannot be assigned one.")
    with transaction.atomic():
        inquiry = _lock(inquiry)
        if not inquiry.is_open:
            raise ValidationError(f"This request is {inquiry.get_status_display().lower()}.")
        inquiry.assignee = assignee
        moved = inquiry.status == Inquiry.Status.NEW
        if moved:
            inquiry.status = Inquiry.Status.ASSIGNED
            inquiry.reply = ""
        _save(inquiry, user)
        if moved:
            _status_changed(inquiry)
    return inquiry


def change_status(inquiry: Inquiry, *, user, status: str, message: str = "") -> Inquiry:
    """Move a request along its workflow and email the requester, with `message` if given."""
    require(user, "inquiries.change_inquiry")
    with transaction.atomic():
        inquiry = _lock(inquiry)
        if status not in inquiry.next_statuses:
            raise ValidationError(
                f"A request that is {inquiry.get_status_display().lower()} cannot become "
                f"{Inquiry.Status(status).label.lower() if status in Inquiry.Status.values else status!r}."
            )
        if status == Inquiry.Status.ASSIGNED and inquiry.assignee is None:
            raise ValidationError("Choose who works on the request: assigning it sets its status.")
        inquiry.status = status
        inquiry.reply = message.strip()
        _save(inquiry, user)
        _status_changed(inquiry)
    return inquiry


def set_result(inquiry: Inquiry, *, user, clip: Clip | None = None, url: str = "") -> Inquiry:
    """Link the clip or the report (a URL) that answers the request; the requester sees it once fulfilled."""
    require(user, "inquiries.change_inquiry")
    with transaction.atomic():
        inquiry = _lock(inquiry)
        url = url.strip()
        if inquiry.result_clip == clip and inquiry.result_url == url:
            return inquiry  # saved again unchanged: no history entry that says nothing
        inquiry.result_clip = clip
        inquiry.result_url = url
        inquiry.full_clean()
        _save(inquiry, user)
    return inquiry


def add_note(inquiry: Inquiry, *, user, text: str) -> InquiryNote:
    """An internal note: staff see it on the desk, the requester never does."""
    require(user, "inquiries.add_inquirynote")
    text = text.strip()
    if not text:
        raise ValidationError("A note needs some text.")
    return InquiryNote.objects.create(inquiry=inquiry, author=user, text=text)


def report_translation_error(
    segment: Segment, note: str, email: str | None = None, *, ip: str | None = None
) -> TranslationReport:
    """A reader reports that a line of a published clip is mistranslated; the report joins the desk queue.

    `note` says what is wrong (required, at most 2000 characters); `email` is optional and, if given,
    gets a message when the desk closes the report. Raises ValidationError for an empty or long note,
    a malformed email or a line of an unpublished clip, and RateLimited past
    CLIPDESK_REPORT_IP_LIMIT (default "30/h") reports from one IP.
    """
    clip = segment.clip
    if not clip.is_public:
        raise ValidationError("Only lines of published clips can be reported.")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what is wrong with the translation."})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note under {NOTE_MAX_LENGTH} characters."})
    report = TranslationReport(
        clip=clip,
        segment=segment,
        position=segment.position,
        quoted_original=segment.original_text,
        quoted_english=segment.english_text,
        note=note,
        reporter_email=(email or "").strip(),
    )
    report.full_clean()
    ratelimits.hit(
        "report-ip",
        ip,
        settings.CLIPDESK_REPORT_IP_LIMIT,
        "You have sent many reports in a short time. Please try again later.",
    )
    with transaction.atomic():
        _save(report, None)
    return report


def close_translation_report(
    report: TranslationReport, *, user, status: str, message: str = ""
) -> TranslationReport:
    """Mark a report corrected or dismissed; a reporter who left an email address is told."""
    require(user, "inquiries.change_translationreport")
    if status not in {TranslationReport.Status.CORRECTED, TranslationReport.Status.DISMISSED}:
        raise ValidationError("A report is closed as corrected or dismissed.")
    with transaction.atomic():
        report = _lock(report)
        if report.status != TranslationReport.Status.NEW:
            raise ValidationError(f"This report is already {report.get_status_display().lower()}.")
        report.status = status
        report.reply = message.strip()
        _save(report, user)
        if report.reporter_email:
            transaction.on_commit(lambda: tasks.send_report_closed(report.pk), robust=True)
    return report
