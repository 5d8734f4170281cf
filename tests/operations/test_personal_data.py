"""Erasing one person's data across every app, from the action, the admin and the command line; the
nightly purge as a job and a command."""

import datetime as dt
from io import StringIO

import pytest
from axes.models import AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from clipdesk.donations import actions as donations
from clipdesk.donations.models import Payment
from clipdesk.donations.providers.offline import OfflineProvider
from clipdesk.inquiries import actions as inquiries
from clipdesk.inquiries.models import Inquiry
from clipdesk.operations.models import Erasure
from clipdesk.subscriptions import actions as subscriptions
from factories.inquiries import InquiryFactory
from factories.subscriptions import SubscriberFactory
from factories.transcripts import SegmentFactory

pytestmark = pytest.mark.django_db

EMAIL = "Nadia.Haddad@example.com"
NAME = "Nadia Haddad"


@pytest.fixture(autouse=True)
def _shared_cache(shared_cache):
    """The public actions count their rate limits in the shared database cache."""


def leave_every_trace(roles, settings, django_capture_on_commit_callbacks):
    """Everything a reader can leave under one address, through the real actions."""
    settings.CLIPDESK_PAYMENT_PROVIDER = "clipdesk.donations.providers.offline.OfflineProvider"
    desk = roles["desk"]
    with django_capture_on_commit_callbacks(execute=True):
        request = inquiries.submit_request(
            category="academia",
            kind="research",
            name=NAME,
            organisation="Haddad Research",
            email=EMAIL,
            details=f"Please write to {EMAIL.lower()} - {NAME}",
        )
        inquiries.add_note(request, user=desk, text=f"{NAME} phoned; write to {EMAIL}")
        inquiries.assign(request, user=desk, assignee=desk)
        inquiries.change_status(request, user=desk, status="fulfilled", message=f"Dear {NAME}, here it is.")
        inquiries.report_translation_error(
            SegmentFactory(clip__published=True), f"Wrong verb. {NAME}", EMAIL.upper()
        )
        donation, _ = donations.start_donation(
            kind="one_time", amount_minor=1000, currency="eur", email=EMAIL
        )
        body, headers = OfflineProvider().demo_delivery(
            reference=str(donation.reference),
            kind="one_time",
            amount_minor=1000,
            currency="eur",
            email=EMAIL,
            paid=True,
        )
        donations.receive_event(body, headers, provider=OfflineProvider())
    with django_capture_on_commit_callbacks(execute=False):  # the confirmation stays in the outbox
        subscriptions.request_subscription(email=EMAIL, frequency="daily", queries=["elections"])
    subscriber = SubscriberFactory(email=EMAIL.lower(), searches=["elections"])
    LogEntry.objects.log_actions(
        user_id=roles["admin"].pk, queryset=[request, subscriber], action_flag=CHANGE
    )
    AccessLog.objects.create(username=EMAIL, ip_address="192.0.2.7", user_agent="Firefox", http_accept="*/*")
    return request, subscriber


def traces(*needles: str) -> list[str]:
    """Every row of every table (historical ones included) that holds one of `needles`, in any case."""
    found = []
    for model in apps.get_models():
        for row in model._default_manager.values():
            text = str(row).lower()
            found += [f"{model._meta.label}: {row}" for needle in needles if needle.lower() in text]
    return found


def test_erasure_leaves_no_trace_of_the_address_in_any_table(
    roles, settings, django_capture_on_commit_callbacks
):
    request, _ = leave_every_trace(roles, settings, django_capture_on_commit_callbacks)
    before = traces(EMAIL, NAME)
    tables = {line.split(":")[0] for line in before}
    assert {
        "inquiries.Inquiry",
        "inquiries.HistoricalInquiry",
        "inquiries.InquiryNote",
        "inquiries.TranslationReport",
        "inquiries.HistoricalTranslationReport",
        "donations.Donation",
        "donations.HistoricalDonation",
        "subscriptions.Subscriber",
        "subscriptions.OutboxMessage",
        "admin.LogEntry",
        "axes.AccessLog",
    } <= tables

    report = call_erase(EMAIL, "--by", "desk")

    assert traces(EMAIL, NAME) == []
    assert "requests: 1 erased" in report and "subscribers: 1 erased" in report
    assert "kept: 1 payment(s) keep their receipt minimum" in report
    # The anonymous record stays: the request's outcome, the money received.
    request.refresh_from_db()
    assert (request.status, request.kind, request.assignee) == ("fulfilled", "research", roles["desk"])
    assert [change.status for change in request.timeline()] == ["new", "assigned", "fulfilled"]
    assert Payment.objects.get().amount_minor == 1000
    erasure = Erasure.objects.get()
    assert (erasure.by, erasure.reason) == (roles["desk"], "on_request")


def call_erase(*args) -> str:
    out = StringIO()
    call_command("erase_personal_data", *args, stdout=out)
    return out.getvalue()


def test_the_command_refuses_staff_who_may_not_erase(roles):
    InquiryFactory(email="keep@example.com")
    with pytest.raises(CommandError, match="Nothing erased"):
        call_erase("keep@example.com", "--by", "editor")
    with pytest.raises(CommandError, match="Nothing erased"):
        call_erase("not an address")
    assert Inquiry.objects.get().email == "keep@example.com"


def test_staff_erase_from_the_admin_after_confirming(client, roles):
    inquiry = InquiryFactory(email="asker@example.com")
    client.force_login(roles["desk"])
    url = reverse("admin:inquiries_inquiry_changelist")
    chosen = {"action": "erase_people", "_selected_action": [inquiry.pk]}

    confirm = client.post(url, chosen)
    assert confirm.status_code == 200
    assert b"Erase everything kept about these people" in confirm.content
    assert Inquiry.objects.get().email == "asker@example.com"

    done = client.post(url, {**chosen, "confirm": "on"}, follow=True)
    assert done.status_code == 200
    assert b"Erased on request: 1 requests" in done.content
    inquiry.refresh_from_db()
    assert (inquiry.email, inquiry.erased_at is not None) == ("", True)
    assert inquiry.history.latest().history_user == roles["desk"]


def test_the_admin_lists_erasures_and_offers_erasure_only_to_those_allowed(client, roles):
    InquiryFactory(email="asker@example.com")
    call_erase("asker@example.com")
    client.force_login(roles["admin"])
    page = client.get(reverse("admin:operations_erasure_changelist"))
    assert page.status_code == 200 and b"Erased on request" in page.content
    assert b"asker@example.com" not in page.content
    client.force_login(roles["desk"])
    changelist = client.get(reverse("admin:inquiries_inquiry_changelist"))
    assert b"erase_people" in changelist.content
    client.force_login(roles["publisher"])
    assert client.get(reverse("admin:inquiries_inquiry_changelist")).status_code == 403


def test_the_nightly_job_and_the_command_purge_what_is_past_retention(roles, settings):
    from clipdesk.operations import tasks

    old = InquiryFactory()
    Inquiry.objects.filter(pk=old.pk).update(
        status="declined", updated_at=timezone.now() - dt.timedelta(days=800)
    )
    AccessLog.objects.create(username="someone", ip_address="192.0.2.8", user_agent="x", http_accept="*/*")
    AccessLog.objects.update(attempt_time=timezone.now() - dt.timedelta(days=91))

    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "requests: 1 would be purged" in out.getvalue()
    assert "sign-in records: 1 would be purged" in out.getvalue()
    assert Inquiry.objects.get().erased_at is None

    tasks.purge_personal_data()

    assert Inquiry.objects.get().erased_at is not None
    assert not AccessLog.objects.exists()
    assert Erasure.objects.get().counts["requests"] == 1
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "0 rows purged in all." in out.getvalue()
