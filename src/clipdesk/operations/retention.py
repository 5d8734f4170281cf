"""Personal data outside the apps' own tables: staff sign-in records (django-axes) and the admin's
change log, which describes the rows it names in words that may be personal."""

import datetime as dt

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from clipdesk.privacy import MARKER, Report, retention

SIGN_IN_RECORDS = (AccessAttempt, AccessLog, AccessFailureLog)


def purge(report: Report, *, now: dt.datetime, dry_run: bool, tracker) -> None:
    """Delete sign-in records (addresses, user names, browsers) older than CLIPDESK_RETAIN_LOGIN_LOGS_DAYS."""
    before = now - dt.timedelta(days=retention("CLIPDESK_RETAIN_LOGIN_LOGS_DAYS"))
    bar = tracker.bar("sign-in records", len(SIGN_IN_RECORDS))
    for model in SIGN_IN_RECORDS:
        old = model.objects.filter(attempt_time__lt=before)
        if dry_run:
            report.add("sign-in records", old.count())
        else:
            with transaction.atomic():
                report.add("sign-in records", len(old.values_list("pk", flat=True)))
                old.delete()
        bar.advance()


def erase(email: str, report: Report, *, user, now: dt.datetime) -> None:
    """Sign-in records under this address as user name (someone typed it to sign in)."""
    for model in SIGN_IN_RECORDS:
        deleted, _ = model.objects.filter(username__iexact=email).delete()
        report.add("sign-in records", deleted)


def forget_descriptions(report: Report, email: str | None = None) -> None:
    """The admin's log entries about the rows just anonymised, and any that quote `email`, lose their
    description: a request's is its requester's name or organisation, a subscriber's its address."""
    entries = LogEntry.objects.all()
    by_model: dict[type, list[str]] = {}
    for model, pk in report.rows:
        by_model.setdefault(model, []).append(str(pk))
    for model, pks in by_model.items():
        kind = ContentType.objects.get_for_model(model)
        for start in range(0, len(pks), 500):
            entries.filter(content_type=kind, object_id__in=pks[start : start + 500]).update(
                object_repr=MARKER, change_message=""
            )
    if email:
        entries.filter(Q(object_repr__icontains=email) | Q(change_message__icontains=email)).update(
            object_repr=MARKER, change_message=""
        )
