"""Readers' translation-error reports: the action the clip page's button calls, and what the desk sees."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clipdesk.archive.actions import withdraw_clip
from clipdesk.inquiries.actions import close_translation_report, report_translation_error
from clipdesk.inquiries.models import TranslationReport
from clipdesk.ratelimits import RateLimited
from factories.archive import ClipFactory
from factories.transcripts import SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment():
    clip = ClipFactory(published=True)
    return SegmentFactory(
        clip=clip,
        position=3,
        original_text="هدد الوزير",
        english_text="The minister warned",
        original_language="ar",
    )


def test_a_report_quotes_the_line_as_the_reader_saw_it(segment):
    report = report_translation_error(
        segment, "  'هدد' means threatened.  ", "reader@example.com", ip="192.0.2.1"
    )
    assert report.clip == segment.clip and report.segment == segment and report.position == 3
    assert (report.quoted_original, report.quoted_english) == ("هدد الوزير", "The minister warned")
    assert report.note == "'هدد' means threatened." and report.reporter_email == "reader@example.com"
    assert report.status == "new"
    assert list(TranslationReport.objects.open()) == [report]
    assert report.history.get().history_user is None

    # The line is corrected later: the report still shows what was reported.
    segment.english_text = "The minister threatened"
    segment.save()
    report.refresh_from_db()
    assert report.quoted_english == "The minister warned"


def test_the_email_is_optional(segment):
    assert report_translation_error(segment, "Wrong tense.").reporter_email == ""
    assert report_translation_error(segment, "Wrong tense.", None).reporter_email == ""


@pytest.mark.parametrize(
    ("note", "email", "field"),
    [
        ("", None, "note"),
        ("   ", None, "note"),
        ("x" * 2001, None, "note"),
        ("Fine note", "not-an-email", "reporter_email"),
    ],
)
def test_bad_reports_are_refused_with_a_message(segment, note, email, field):
    with pytest.raises(ValidationError) as refused:
        report_translation_error(segment, note, email)
    assert field in refused.value.message_dict
    assert not TranslationReport.objects.exists()


def test_only_lines_of_published_clips_can_be_reported(segment):
    draft_line = SegmentFactory(clip=ClipFactory())
    with pytest.raises(ValidationError, match="published"):
        report_translation_error(draft_line, "Wrong")
    withdraw_clip(segment.clip, user=None, reason="Duplicate")
    segment.refresh_from_db()
    with pytest.raises(ValidationError, match="published"):
        report_translation_error(segment, "Wrong")
    assert not TranslationReport.objects.exists()


def test_reports_are_rate_limited_per_ip(segment, settings):
    settings.CLIPDESK_REPORT_IP_LIMIT = "3/h"
    for _ in range(3):
        report_translation_error(segment, "Wrong", ip="198.51.100.20")
    with pytest.raises(RateLimited):
        report_translation_error(segment, "Wrong", ip="198.51.100.20")
    report_translation_error(segment, "Wrong", ip="198.51.100.21")
    assert TranslationReport.objects.count() == 4


def test_closing_a_report_without_an_email_sends_nothing(
    segment, roles, mailbox, django_capture_on_commit_callbacks
):
    report = report_translation_error(segment, "Wrong")
    with django_capture_on_commit_callbacks(execute=True):
        close_translation_report(report, user=roles["desk"], status="dismissed", message="It is right.")
    assert mailbox == []
    report.refresh_from_db()
    assert (report.status, report.reply) == ("dismissed", "It is right.")
    assert not TranslationReport.objects.open().exists()


def test_closing_needs_the_permission_and_a_closing_status(segment, roles):
    report = report_translation_error(segment, "Wrong")
    with pytest.raises(PermissionDenied):
        close_translation_report(report, user=roles["translator"], status="corrected")
    with pytest.raises(ValidationError):
        close_translation_report(report, user=roles["desk"], status="new")
    report.refresh_from_db()
    assert report.status == "new"


def test_a_report_survives_its_line_being_deleted(segment):
    report = report_translation_error(segment, "Wrong")
    segment.delete()
    report.refresh_from_db()
    assert report.segment is None and report.quoted_english == "The minister warned"
