"""Personal data of the desk: the purge past the retention period, and erasure on request."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from clipdesk.inquiries import actions
from clipdesk.inquiries.models import Inquiry, InquiryNote, TranslationReport
from clipdesk.operations.actions import erase_personal_data, purge_personal_data
from clipdesk.operations.models import Erasure
from clipdesk.privacy import MARKER
from factories.inquiries import InquiryFactory, TranslationReportFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def closed_request(roles, *, months_ago: int, status=Inquiry.Status.DECLINED, **fields) -> Inquiry:
    """A request worked through the desk's actions, closed `months_ago` months before NOW."""
    inquiry = InquiryFactory(**fields)
    actions.add_note(inquiry, user=roles["desk"], text=f"Called {inquiry.name} back.")
    actions.change_status(inquiry, user=roles["desk"], status=status, message=f"Sorry, {inquiry.name}.")
    Inquiry.objects.filter(pk=inquiry.pk).update(updated_at=NOW - dt.timedelta(days=31 * months_ago))
    return Inquiry.objects.get(pk=inquiry.pk)


def closed_report(roles, *, months_ago: int, **fields) -> TranslationReport:
    report = TranslationReportFactory(reporter_email="reader@example.net", **fields)
    actions.close_translation_report(report, user=roles["desk"], status="corrected", message="Thanks, fixed.")
    TranslationReport.objects.filter(pk=report.pk).update(updated_at=NOW - dt.timedelta(days=31 * months_ago))
    return TranslationReport.objects.get(pk=report.pk)


def personal_values(inquiry: Inquiry) -> set[str]:
    """Every value of the personal fields, in the row and in its history."""
    rows = [inquiry, *Inquiry.history.filter(id=inquiry.pk)]
    return {
        getattr(row, name) for row in rows for name in ("name", "organisation", "email", "details", "reply")
    }


def test_the_purge_anonymises_closed_requests_past_the_retention_period(roles, settings):
    settings.CLIPDESK_RETAIN_REQUESTS_MONTHS = 24
    old = closed_request(roles, months_ago=25, name="Dana Old", organisation="Old Times")
    recent = closed_request(roles, months_ago=6, name="Rita Recent")
    still_open = InquiryFactory(name="Olga Open")
    Inquiry.objects.filter(pk=still_open.pk).update(updated_at=NOW - dt.timedelta(days=31 * 30))

    report = purge_personal_data(now=NOW)

    assert report.counts["requests"] == 1
    old.refresh_from_db()
    assert personal_values(old) <= {MARKER, ""}
    assert old.erased_at == NOW
    # The anonymous record stays: the row, its kind, category, outcome and timeline.
    assert (old.kind, old.category, old.status) == ("clip", "media", "declined")
    assert [change.status for change in old.timeline()] == ["new", "declined"]
    assert list(InquiryNote.objects.filter(inquiry=old).values_list("text", flat=True)) == [MARKER]
    assert old.history.latest().history_change_reason == "personal data past its retention period"
    assert Inquiry.objects.count() == 3
    recent.refresh_from_db()
    assert recent.name == "Rita Recent" and recent.erased_at is None
    still_open.refresh_from_db()
    assert still_open.name == "Olga Open"


def test_the_purge_anonymises_closed_translation_reports_and_keeps_the_quoted_line(roles):
    old = closed_report(roles, months_ago=25)
    open_report = TranslationReportFactory(reporter_email="waiting@example.net")
    TranslationReport.objects.filter(pk=open_report.pk).update(updated_at=NOW - dt.timedelta(days=900))

    report = purge_personal_data(now=NOW)

    assert report.counts["translation reports"] == 1
    old.refresh_from_db()
    assert (old.reporter_email, old.note, old.reply) == ("", MARKER, "")
    assert old.status == "corrected" and old.quoted_english and old.clip_id
    assert not TranslationReport.history.filter(reporter_email="reader@example.net").exists()
    assert TranslationReport.objects.get(pk=open_report.pk).reporter_email == "waiting@example.net"


def test_the_purge_is_idempotent_and_a_dry_run_changes_nothing(roles):
    old = closed_request(roles, months_ago=30)
    dry = purge_personal_data(now=NOW, dry_run=True)
    assert dry.counts["requests"] == 1
    assert Inquiry.objects.get(pk=old.pk).erased_at is None
    assert not Erasure.objects.exists()

    assert purge_personal_data(now=NOW).counts["requests"] == 1
    history_rows = Inquiry.history.filter(id=old.pk).count()
    again = purge_personal_data(now=NOW + dt.timedelta(days=1))
    assert again.counts["requests"] == 0
    assert Inquiry.history.filter(id=old.pk).count() == history_rows
    assert Erasure.objects.get().reason == Erasure.Reason.RETENTION


def test_erasing_on_request_covers_open_and_closed_requests_and_reports(roles):
    closed = closed_request(roles, months_ago=1, email="Someone@Example.com", name="Sam Someone")
    still_open = InquiryFactory(email="someone@example.com", name="Sam Someone")
    report = TranslationReportFactory(reporter_email="someone@example.com")
    other = InquiryFactory(email="other@example.com")

    result = erase_personal_data("someone@example.com", user=roles["desk"], now=NOW)

    assert (result.counts["requests"], result.counts["translation reports"]) == (2, 1)
    for inquiry in (closed, still_open):
        inquiry.refresh_from_db()
        assert personal_values(inquiry) <= {MARKER, ""}
        latest = inquiry.history.latest()
        assert (latest.history_change_reason, latest.history_user) == ("erased on request", roles["desk"])
    # Nobody can be told the outcome of an open request any more: it is closed, without mail.
    assert still_open.status == "declined"
    report.refresh_from_db()
    assert (report.reporter_email, report.note, report.erased_at) == ("", MARKER, NOW)
    assert Inquiry.objects.get(pk=other.pk).email == "other@example.com"
    erasure = Erasure.objects.get()
    assert (erasure.by, erasure.reason) == (roles["desk"], "on_request")
    assert "someone" not in str(erasure.counts).lower()


@pytest.mark.parametrize("role", ["reader", "monitor", "translator", "editor", "publisher"])
def test_only_the_desk_and_admins_may_erase(roles, role):
    inquiry = InquiryFactory(email="keep@example.com")
    with pytest.raises(PermissionDenied):
        erase_personal_data("keep@example.com", user=roles[role])
    assert Inquiry.objects.get(pk=inquiry.pk).email == "keep@example.com"
    assert not Erasure.objects.exists()


def test_admins_may_erase(roles):
    InquiryFactory(email="gone@example.com")
    assert erase_personal_data("gone@example.com", user=roles["admin"]).counts["requests"] == 1
