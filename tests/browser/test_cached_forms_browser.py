"""The clip page's forms work from a page served by the page cache, the same for every reader: the
script fetches a CSRF token as each form is sent; without scripts, the next page asks again with one."""

import pytest

from clipdesk.archive import actions as archive_actions
from clipdesk.inquiries.models import TranslationReport
from clipdesk.subscriptions.models import PendingConfirmation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cached_clip(timed_clip, settings, shared_cache, search_dir):
    settings.CLIPDESK_PAGE_CACHE = True
    settings.CLIPDESK_PAGE_CACHE_SKEW_MS = 0
    clip = archive_actions.publish_clip(timed_clip, user=None, number=5151)
    return clip


def _open_cached(new_page, url, **options):
    """The page as a new reader gets it from the page cache (each load in a browser of its own, whose
    HTTP cache would otherwise revalidate it). A tag seen for the first time gets its first version as
    the first reader renders the page, so the next rendering stores it."""
    answers = [new_page(**options).goto(url).headers["x-page-cache"] for _ in range(2)]
    page = new_page(**options)
    answers.append(page.goto(url).headers["x-page-cache"])
    assert answers[-1] == "hit", answers
    assert page.context.cookies() == []
    return page


def test_reporting_and_subscribing_from_a_cached_clip_page(new_page, live_server, cached_clip):
    url = live_server.url + cached_clip.get_absolute_url()
    page = _open_cached(new_page, url)
    page.click("#line-2 details.report summary")
    page.fill("#line-2 textarea[name=note]", "The verb means 'threatened'.")
    page.click("#line-2 button[type=submit]")
    page.get_by_text("Thank you: your report was sent to the desk.").wait_for()
    assert TranslationReport.objects.get().position == 1

    page = _open_cached(new_page, url)
    page.check(".subscribe-box input[name=channels]")
    page.fill(".subscribe-box input[name=email]", "reader@example.org")
    page.click(".subscribe-box button[type=submit]")
    page.get_by_role("heading", name="Check your inbox").wait_for()
    assert PendingConfirmation.objects.count() == 1


def test_without_scripts_the_report_page_asks_again_with_a_token(new_page, live_server, cached_clip):
    page = _open_cached(new_page, live_server.url + cached_clip.get_absolute_url(), java_script_enabled=False)
    page.click("#line-2 details.report summary")
    page.fill("#line-2 textarea[name=note]", "Wrong verb.")
    page.click("#line-2 button[type=submit]")
    page.get_by_text("Your report is not sent yet").wait_for()
    assert not TranslationReport.objects.exists()
    assert page.input_value("textarea[name=note]") == "Wrong verb."
    page.click("form[action$='/report/'] button[type=submit]")
    page.get_by_text("Thank you: your report was sent to the desk.").wait_for()
    assert TranslationReport.objects.count() == 1
