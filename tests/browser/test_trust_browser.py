"""Editorial trust in a browser: moving between the lines to check, translator notes on the page."""

import pytest

from clipdesk.archive import actions as archive_actions
from clipdesk.transcripts import actions
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


def test_a_translator_s_note_saves_from_the_editor_and_shows_beside_the_line(
    page, live_server, machine_draft, roles, screenshot
):
    login(page, live_server, roles["translator"])
    page.goto(f"{live_server.url}/staff/clips/id:{machine_draft.pk}/edit/")
    page.locator("#line-2 textarea[data-field=note]").fill("Literally: 'no thing'.")
    page.wait_for_function("() => document.querySelector('#line-2').dataset.state === 'saved'")
    assert machine_draft.segments.get(position=1).note == "Literally: 'no thing'."
    screenshot(page, "editor-translator-note")

    clip = archive_actions.publish_clip(machine_draft, user=None, number=4343, confirm_machine_text=True)
    page.goto(live_server.url + clip.get_absolute_url())
    note = page.locator("#line-2 .translator-note")
    assert note.inner_text() == "Translator's note: Literally: 'no thing'."
    assert page.locator("#line-2 .uncertain").inner_text() == "uncertain, not checked"
    screenshot(page, "clip-page-note-and-uncertain")
    assert page.console_errors == []


def test_corrections_page_and_draft_quality_page(page, live_server, machine_draft, roles, screenshot):
    clip = archive_actions.publish_clip(machine_draft, user=None, number=4444, confirm_machine_text=True)
    line = clip.segments.get(position=1)
    actions.edit_segment(line.pk, user=roles["editor"], version=1, english_text="Nothing at all.")
    actions.publish_correction(
        clip.revisions.pending().get(), user=roles["publisher"], note="A closer rendering."
    )
    page.goto(f"{live_server.url}/corrections/")
    assert page.locator(".correction .correction-note").inner_text() == "A closer rendering."
    assert page.locator(".correction ins").all_inner_texts() == ["Nothing", "at all."]
    screenshot(page, "corrections-page")
    login(page, live_server, roles["editor"])
    page.goto(f"{live_server.url}/staff/quality/")
    assert "No machine draft" in page.locator(".quality-clips").inner_text()  # typed by the factory
    screenshot(page, "draft-quality")
    assert page.console_errors == []
