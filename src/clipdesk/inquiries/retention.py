"""Personal data of the desk: purging closed requests and reports past their retention, and erasing
one person's requests and reports on request (see clipdesk.privacy for the whole table).

A request keeps its kind, category, status, deadline, assignee, result and dates; its requester's
name, organisation, address and words go, with the desk's notes and replies (which quote them).
A translation report keeps its clip, the line it quoted and its outcome.
"""

import datetime as dt

from django.db import transaction

from clipdesk.privacy import (
    MARKER,
    ON_REQUEST,
    PAST_RETENTION,
    Report,
    anonymise,
    forget_history,
    months_before,
    retention,
    rows_with,
)

from .models import Inquiry, InquiryNote, TranslationReport

REQUEST_FIELDS = {"name": MARKER, "organisation": "", "email": "", "details": MARKER, "reply": ""}
REPORT_FIELDS = {"reporter_email": "", "note": MARKER, "reply": ""}


def _erase_request(inquiry: Inquiry, report: Report, *, user, reason: str, now: dt.datetime) -> None:
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.is_open:
        # No one can be told the outcome any more, and the details are gone: the desk stops here.
        inquiry.status = Inquiry.Status.DECLINED
    anonymise(inquiry, dict(REQUEST_FIELDS), report, user=user, reason=reason, now=now)
    InquiryNote.objects.filter(inquiry=inquiry).update(text=MARKER)


def _erase_report(row: TranslationReport, report: Report, *, user, reason: str, now: dt.datetime) -> None:
    row = TranslationReport.objects.select_for_update().get(pk=row.pk)
    anonymise(row, dict(REPORT_FIELDS), report, user=user, reason=reason, now=now)


def expired_requests(now: dt.datetime):
    cutoff = months_before(now, retention("CLIPDESK_RETAIN_REQUESTS_MONTHS"))
    return Inquiry.objects.closed().filter(erased_at__isnull=True, updated_at__lt=cutoff).order_by("pk")


def expired_reports(now: dt.datetime):
    cutoff = months_before(now, retention("CLIPDESK_RETAIN_REQUESTS_MONTHS"))
    return (
        TranslationReport.objects.exclude(status=TranslationReport.Status.NEW)
        .filter(erased_at__isnull=True, updated_at__lt=cutoff)
        .order_by("pk")
    )


def purge(report: Report, *, now: dt.datetime, dry_run: bool, tracker) -> None:
    """Anonymise closed requests and reports whose last change is older than the retention period."""
    for kind, rows, erase in (
        ("requests", expired_requests(now), _erase_request),
        ("translation reports", expired_reports(now), _erase_report),
    ):
        due = list(rows)
        report.add(kind, len(due))
        if dry_run:
            continue
        bar = tracker.bar(kind, len(due))
        for row in due:
            with transaction.atomic():
                erase(row, report, user=None, reason=PAST_RETENTION, now=now)
            bar.advance()


def erase(email: str, report: Report, *, user, now: dt.datetime) -> None:
    """Anonymise every request and report sent from `email`, open or closed, including those whose
    history alone still holds the address. Call inside a transaction."""
    requests = rows_with(Inquiry, "email", email)
    for inquiry in requests:
        _erase_request(inquiry, report, user=user, reason=ON_REQUEST, now=now)
    report.add("requests", len(requests))
    reports = rows_with(TranslationReport, "reporter_email", email)
    for row in reports:
        _erase_report(row, report, user=user, reason=ON_REQUEST, now=now)
    report.add("translation reports", len(reports))
    forget_history(Inquiry, "email", email, REQUEST_FIELDS)
    forget_history(TranslationReport, "reporter_email", email, REPORT_FIELDS)
