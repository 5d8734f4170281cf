"""Personal data of donors: purging donations past their retention, and erasing one donor's data on
request (see clipdesk.privacy for the whole table).

A donation keeps its kind, amount, currency, status and dates, and each payment its amount, currency
and date: the totals stay right. The donor's address and the provider's ids for the checkout and the
pledge go. A payment's own provider reference is the receipt minimum: it is kept for
CLIPDESK_RETAIN_RECEIPTS_YEARS after the payment, as the law of the operator's country requires, even
when the donor asks to be erased, and replaced after that.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef

from clipdesk.privacy import (
    ON_REQUEST,
    PAST_RETENTION,
    Report,
    anonymise,
    forget_history,
    months_before,
    retention,
    rows_with,
)

from .models import Donation, Payment

DONATION_FIELDS = {"email": "", "checkout_id": "", "subscription_id": ""}


def receipts_cutoff(now: dt.datetime) -> dt.datetime:
    """Payments made before this are past the period receipts must be kept for."""
    return months_before(now, 12 * retention("CLIPDESK_RETAIN_RECEIPTS_YEARS"))


def _erase(donation: Donation, report: Report, *, user, reason: str, now: dt.datetime) -> int:
    """Anonymise one donation and release the payments past the receipts period; returns how many
    payments keep their receipt minimum."""
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    anonymise(donation, dict(DONATION_FIELDS), report, user=user, reason=reason, now=now)
    cutoff = receipts_cutoff(now)
    for payment in donation.payments.filter(paid_at__lt=cutoff).exclude(provider_ref__startswith="erased-"):
        Payment.objects.filter(pk=payment.pk).update(provider_ref=f"erased-{payment.pk}")
    return donation.payments.filter(paid_at__gte=cutoff).count()


def expired_donations(now: dt.datetime):
    """Never-paid donations older than CLIPDESK_RETAIN_UNPAID_DONATIONS_DAYS, and paid ones whose last
    payment is older than the receipts period; never a running pledge."""
    paid = Payment.objects.filter(donation=OuterRef("pk"))
    unpaid_before = now - dt.timedelta(days=retention("CLIPDESK_RETAIN_UNPAID_DONATIONS_DAYS"))
    candidates = (
        Donation.objects.filter(erased_at__isnull=True)
        .exclude(status=Donation.Status.ACTIVE)
        .annotate(paid=Exists(paid), last_paid=Max("payments__paid_at"))
    )
    unpaid = candidates.filter(paid=False, created_at__lt=unpaid_before)
    receipts_kept_from = receipts_cutoff(now)
    old = candidates.filter(paid=True, last_paid__lt=receipts_kept_from)
    return sorted({*unpaid, *old}, key=lambda donation: donation.pk)


def purge(report: Report, *, now: dt.datetime, dry_run: bool, tracker) -> None:
    due = expired_donations(now)
    report.add("donations", len(due))
    if dry_run:
        return
    bar = tracker.bar("donations", len(due))
    for donation in due:
        with transaction.atomic():
            _erase(donation, report, user=None, reason=PAST_RETENTION, now=now)
        bar.advance()


def erase(email: str, report: Report, *, user, now: dt.datetime) -> None:
    """Anonymise every donation made from `email`. Call inside a transaction.

    Refused while one of them is a running monthly pledge: the provider keeps charging it, and its
    payments could no longer be matched or receipted. Cancel it with the provider first.
    """
    donations = rows_with(Donation, "email", email)
    if any(donation.status == Donation.Status.ACTIVE for donation in donations):
        raise ValidationError(
            "This address has a monthly pledge that is still running. Cancel it with the payment "
            "provider first (its cancellation reaches clipdesk), then erase the data."
        )
    kept = sum(_erase(donation, report, user=user, reason=ON_REQUEST, now=now) for donation in donations)
    report.add("donations", len(donations))
    forget_history(Donation, "email", email, DONATION_FIELDS)
    if kept:
        until = f"{retention('CLIPDESK_RETAIN_RECEIPTS_YEARS')} years after each payment"
        report.kept.append(
            f"{kept} payment(s) keep their receipt minimum (amount, currency, date and the provider's "
            f"payment reference, no address) for {until}, as CLIPDESK_RETAIN_RECEIPTS_YEARS says."
        )
