"""The staff pages as a browser lays them out: the worklist tabs, sign-out, and a phone's width."""

import itertools

import pytest

from factories.archive import ClipFactory, UserFactory
from factories.inquiries import InquiryFactory, TranslationReportFactory
from support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chief(db):
    """A member of staff who may see every staff page."""
    return UserFactory(username="chief-of-desk", is_superuser=True)


@pytest.fixture
def work(db):
    """Enough on the worklist and the desk that long titles, names and notes must fit a narrow screen."""
    for n in range(3):
        ClipFactory(title=f"Interview with the deputy foreign minister on the ceasefire talks, part {n}")
    InquiryFactory(organisation="International Broadcasting Monitoring Research Consortium")
    TranslationReportFactory(note="The verb means 'threatened' rather than 'warned' " * 4)


def test_the_worklist_tabs_read_as_separate_words(page, live_server, chief, screenshot):
    login(page, live_server, chief)
    page.goto(live_server.url + "/staff/work/")
    boxes = page.eval_on_selector_all(
        ".tabs a",
        "links => links.map((a) => { const r = a.getBoundingClientRect(); return [r.left, r.right]; })",
    )
    assert len(boxes) == 8  # status tabs, mine or unassigned, imported pages that need review
    for (_, right), (left, _) in itertools.pairwise(boxes):
        assert left - right >= 4, boxes  # a visible gap between each tab and the next on its line
    text = page.inner_text(".tabs")
    assert "AllDraft" not in text and "All" in text.split()
    screenshot(page, "worklist-tabs")


def test_staff_sign_out_from_any_staff_page(page, live_server, chief):
    login(page, live_server, chief)
    for path in ("/staff/work/", "/desk/", "/"):
        page.goto(live_server.url + path)
        assert page.is_visible("form.sign-out button"), path
    page.goto(live_server.url + "/desk/")
    page.click("form.sign-out button")
    page.wait_for_url(live_server.url + "/")
    assert not page.is_visible("form.sign-out")
    page.goto(live_server.url + "/staff/work/")
    assert page.url.startswith(live_server.url + "/staff/login/")
    assert page.console_errors == []


@pytest.mark.parametrize("path", ["/staff/work/", "/desk/"])
def test_staff_pages_do_not_scroll_sideways_on_a_phone(new_page, live_server, chief, work, path, screenshot):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login(page, live_server, chief)
    page.goto(live_server.url + path)
    widths = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    screenshot(page, "phone" + path.replace("/", "-").rstrip("-"))
    assert widths[0] <= widths[1], widths
