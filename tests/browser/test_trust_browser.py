"""Editorial trust in a browser: moving between the lines to check, translator notes on the page."""

import pytest

from factories.archive import ClipFactory
from factories.transcripts import SegmentFactory
from support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MACHINE = {"original_origin": "machine", "english_origin": "machine", "original_language": "ar"}


@pytest.fixture
def machine_draft(db):
    clip = ClipFactory(title="A machine draft")
    doubts = [
        {},
        {"uncertain": True, "uncertain_reason": "compression"},
        {},
        {"words": [[0, 400, " لا", 0.97], [400, 900, " شيء", 0.18]]},
        {},
    ]
    for position, doubt in enumerate(doubts):
        SegmentFactory(
            clip=clip,
            position=position,
            original_text="لا شيء",
            english_text=f"Line {position + 1}.",
            **{**MACHINE, **doubt},
        )
    return clip


def focused_line(page) -> str:
    return page.evaluate("document.activeElement.closest('.edit-line')?.id ?? ''")


def test_a_key_moves_between_the_lines_to_check(page, live_server, machine_draft, roles, screenshot):
    login(page, live_server, roles["translator"])
    page.goto(f"{live_server.url}/staff/clips/id:{machine_draft.pk}/edit/")
    assert page.locator(".edit-line.needs-check").count() == 2
    page.keyboard.press("Alt+u")
    assert focused_line(page) == "line-2"
    page.keyboard.press("Alt+u")
    assert focused_line(page) == "line-4"
    assert "below probability" in page.locator(".save-status").inner_text()
    page.keyboard.press("Alt+u")  # wraps around
    assert focused_line(page) == "line-2"
    page.keyboard.press("Alt+Shift+U")
    assert focused_line(page) == "line-4"
    page.locator("#line-5 textarea[data-field=english_text]").focus()
    page.keyboard.press("Alt+Shift+U")
    assert focused_line(page) == "line-4"
    assert page.locator("#line-4 mark.unsure-word").inner_text() == "شيء"
    screenshot(page, "editor-lines-to-check")
    assert page.console_errors == []
