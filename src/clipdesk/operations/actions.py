"""Named actions for personal data: erasing one person's data on request, and the scheduled purge of
what is past its retention period (clipdesk.privacy lists what is kept and for how long).

Both anonymise in place where a row counts for something (a request's outcome, a donation's amount)
and delete where nothing anonymous is worth keeping (subscribers, old mail, sign-in records). Each
erasure is recorded as an `Erasure` that says when, by whom and how many rows, never whose.
"""

import datetime as dt
from contextlib import nullcontext

from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from clipdesk.archive.actions import require
from clipdesk.donations import retention as donations
from clipdesk.inquiries import retention as inquiries
from clipdesk.privacy import ERASE_PERMISSION, Report
from clipdesk.subscriptions import retention as subscriptions

from . import retention as sign_ins
from .models import Erasure
from .progress import tracking

PERMISSION = ERASE_PERMISSION
# Each part offers erase(email, report, user=, now=) and purge(report, now=, dry_run=, tracker=).
PARTS = (inquiries, donations, subscriptions, sign_ins)


def erase_personal_data(email: str, *, user, now: dt.datetime | None = None) -> Report:
    """Erase everything kept about one email address, at once and in one transaction: requests,
    translation reports, donations (but the receipt minimum the law requires), the subscription, mail
    and sign-in records, in their histories too. History entries say "erased on request" and name
    `user`; the address itself is recorded nowhere.

    Needs the permission operations.erase_personal_data (the admin and desk roles). Raises
    ValidationError for a malformed address, and when the address has a running monthly pledge.
    """
    require(user, PERMISSION)
    email = (email or "").strip()
    validate_email(email)
    now = now or timezone.now()
    report = Report()
    with transaction.atomic():
        for part in PARTS:
            part.erase(email, report, user=user, now=now)
        sign_ins.forget_descriptions(report, email)
        Erasure.objects.create(by=user, reason=Erasure.Reason.ON_REQUEST, counts=report.counts)
    return report


def purge_personal_data(*, now: dt.datetime | None = None, dry_run: bool = False, tracker=None) -> Report:
    """Anonymise or delete what is past its retention period (settings CLIPDESK_RETAIN_*).

    Run by the worker every night and by `clipdesk purge-personal-data`; a trusted local process, so
    no permission is checked. Idempotent: what was purged is not counted again. With `dry_run`, counts
    what would go and changes nothing.
    """
    now = now or timezone.now()
    report = Report()
    with nullcontext(tracker) if tracker else tracking(None, enabled=False) as tracker:
        for part in PARTS:
            part.purge(report, now=now, dry_run=dry_run, tracker=tracker)
    if not dry_run and report.total:
        with transaction.atomic():
            sign_ins.forget_descriptions(report)
            Erasure.objects.create(reason=Erasure.Reason.RETENTION, counts=report.counts)
    return report
