"""Reporting a translation error from a line far down a clip page: the reader sees the answer."""

import pytest

from clipdesk.archive import actions as archive_actions
from clipdesk.inquiries.models import TranslationReport
from factories.transcripts import SegmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }"""


@pytest.fixture(autouse=True)
def _shared_cache(shared_cache):
    """Rate limits counted as in production."""


@pytest.fixture
def long_clip(timed_clip):
    """A published clip with forty lines, so that line 35 is far below the top of its page."""
    for position in range(4, 40):
        SegmentFactory(clip=timed_clip, position=position, english_text=f"Line {position + 1} in English.")
    return archive_actions.publish_clip(timed_clip, user=None, number=4343)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_the_thank_you_is_on_screen_after_reporting(new_page, live_server, long_clip, viewport, screenshot):
    page = new_page(viewport=viewport)
    page.goto(live_server.url + long_clip.get_absolute_url())
    page.click("#line-35 details.report summary")
    page.fill("#line-35 textarea[name=note]", "It says 'warned'; the verb means 'threatened'.")
    page.click("#line-35 button[type=submit]")
    page.wait_for_load_state()
    thanks = page.get_by_text("Thank you: your report was sent to the desk.")
    thanks.wait_for()
    assert thanks.count() == 1
    screenshot(page.context.pages[0], f"report-sent-{viewport['width']}")
    assert thanks.evaluate(IN_VIEW)
    assert TranslationReport.objects.get().position == 34


def test_a_refused_report_says_why_on_screen(new_page, live_server, long_clip, settings):
    settings.CLIPDESK_REPORT_IP_LIMIT = "0/h"
    page = new_page()
    page.goto(live_server.url + long_clip.get_absolute_url())
    page.click("#line-35 details.report summary")
    page.fill("#line-35 textarea[name=note]", "Wrong verb.")
    page.click("#line-35 button[type=submit]")
    refusal = page.get_by_text("Please try again later")
    refusal.wait_for()
    assert refusal.evaluate(IN_VIEW)
    assert not TranslationReport.objects.exists()
