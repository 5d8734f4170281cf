"""Personal data of donors: the purge past the retention periods, receipts kept as the law requires,
and erasure on request."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clipdesk.donations import actions
from clipdesk.donations.models import Donation, Payment
from clipdesk.donations.providers import EventKind, PaymentEvent
from clipdesk.operations.actions import erase_personal_data, purge_personal_data
from factories.donations import DonationFactory, PaymentFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def aged(donation: Donation, days: int) -> Donation:
    Donation.objects.filter(pk=donation.pk).update(created_at=NOW - dt.timedelta(days=days))
    return donation


def paid(days_ago: int, **fields) -> Payment:
    return PaymentFactory(paid_at=NOW - dt.timedelta(days=days_ago), **fields)


def test_unpaid_donations_are_anonymised_after_their_retention(settings):
    settings.CLIPDESK_RETAIN_UNPAID_DONATIONS_DAYS = 90
    old = aged(DonationFactory(status="abandoned", checkout_id="cs_old", email="gone@example.com"), 91)
    recent = aged(DonationFactory(status="abandoned", email="recent@example.com"), 10)

    report = purge_personal_data(now=NOW)

    assert report.counts["donations"] == 1
    old.refresh_from_db()
    assert (old.email, old.checkout_id, old.erased_at) == ("", "", NOW)
    assert (old.amount_minor, old.currency, old.status) == (2500, "usd", "abandoned")
    assert not Donation.history.filter(email="gone@example.com").exists()
    assert Donation.objects.get(pk=recent.pk).email == "recent@example.com"


def test_receipts_are_kept_for_the_years_the_law_requires(settings):
    settings.CLIPDESK_RETAIN_RECEIPTS_YEARS = 10
    old = paid(365 * 10 + 5, provider_ref="pay_old")
    young = paid(365 * 9, provider_ref="pay_young")

    assert purge_personal_data(now=NOW).counts["donations"] == 1

    old.refresh_from_db()
    assert old.donation.email == "" and old.provider_ref == f"erased-{old.pk}"
    assert (old.amount_minor, old.currency) == (2500, "usd")
    young.refresh_from_db()
    assert young.donation.email and young.provider_ref == "pay_young"
    assert Donation.objects.totals()[0]["received"] == "50.00 USD"


def test_a_running_pledge_is_never_purged():
    payment = paid(
        365 * 20, donation__kind="monthly", donation__status="active", donation__subscription_id="sub_1"
    )
    assert purge_personal_data(now=NOW).counts["donations"] == 0
    assert Donation.objects.get(pk=payment.donation_id).subscription_id == "sub_1"


def test_erasure_keeps_only_the_receipt_minimum_inside_the_period(roles):
    recent = paid(30, donation__email="giver@example.com", donation__checkout_id="cs_1", provider_ref="pay_1")

    report = erase_personal_data("giver@example.com", user=roles["admin"], now=NOW)

    assert report.counts["donations"] == 1
    assert "receipt minimum" in report.kept[0]
    recent.refresh_from_db()
    assert (recent.donation.email, recent.donation.checkout_id) == ("", "")
    assert recent.provider_ref == "pay_1"  # the receipt minimum, as the law requires
    latest = recent.donation.history.latest()
    assert (latest.history_change_reason, latest.history_user) == ("erased on request", roles["admin"])


def test_erasure_waits_for_a_running_pledge_to_be_cancelled(roles):
    pledge = DonationFactory(kind="monthly", status="active", email="monthly@example.com")
    with pytest.raises(ValidationError, match="still running"):
        erase_personal_data("monthly@example.com", user=roles["admin"])
    assert Donation.objects.get(pk=pledge.pk).email == "monthly@example.com"


def test_a_later_event_does_not_bring_an_erased_address_back(
    roles, mailbox, django_capture_on_commit_callbacks
):
    donation = DonationFactory(email="late@example.com")
    erase_personal_data("late@example.com", user=roles["admin"])
    event = PaymentEvent(
        id="evt_late",
        kind=EventKind.PAYMENT_RECEIVED,
        type="offline.paid",
        donation_reference=str(donation.reference),
        payment_ref="pay_late",
        amount_minor=2500,
        currency="usd",
        email="late@example.com",
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.apply_event(event, provider="offline")
    donation.refresh_from_db()
    assert (donation.status, donation.email) == ("completed", "")
    assert mailbox == []  # no receipt: there is no address to send it to
