"""Where editors look: the machine's doubts in the editor, the worklist's count, the public label."""

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from clipdesk.archive import actions as archive_actions
from clipdesk.transcripts import actions, review
from clipdesk.transcripts.models import Segment
from factories.archive import ClipFactory
from factories.transcripts import SegmentFactory

pytestmark = pytest.mark.django_db

MACHINE = {"original_origin": "machine", "english_origin": "machine", "original_language": "ar"}
SURE = [[0, 500, " مرحبا", 0.98], [500, 900, " بكم", 0.95]]
UNSURE = [[0, 500, " مرحبا", 0.98], [500, 900, " بكن", 0.21]]


def draft(title, *lines):
    """A machine draft: each line given as a dict of Segment fields over MACHINE."""
    clip = ClipFactory(title=title)
    for position, fields in enumerate(lines):
        SegmentFactory(clip=clip, position=position, original_text="مرحبا بكم", **{**MACHINE, **fields})
    return clip


@pytest.fixture
def drafts(db):
    return {
        "clean": draft("Clean draft", {"words": SURE, "language_probability": 0.99}),
        "doubtful": draft(
            "Doubtful draft",
            {"words": UNSURE, "language_probability": 0.99},  # a word
            {"words": SURE, "uncertain": True, "uncertain_reason": "repetition"},  # a line
            {"words": SURE, "language_probability": 0.55},  # the language
            {"words": SURE, "language_probability": 0.99},  # nothing
        ),
        "typed": ClipFactory(title="Typed by a person"),
        "one": draft("One to check", {"words": UNSURE}),
    }


def test_check_line_names_each_doubt(drafts):
    lines = list(drafts["doubtful"].segments.in_order())
    checks = [review.check_line(line) for line in lines]
    assert [check.needed for check in checks] == [True, True, True, False]
    assert checks[0].reasons == ["1 word below probability 0.5"]
    assert [(w.text, w.unsure) for w in checks[0].words] == [("مرحبا", False), ("بكن", True)]
    assert checks[1].reasons == ["uncertain (repetition)"]
    assert checks[2].reasons == ["language ar identified with probability 0.55"]


def test_a_person_s_edit_settles_the_machine_s_doubts(drafts, roles):
    line = drafts["doubtful"].segments.get(position=1)
    assert review.check_line(line).needed
    actions.edit_segment(line.pk, user=roles["translator"], version=1, english_text="Welcome.")
    actions.edit_segment(line.pk, user=roles["translator"], version=2, original_text="مرحبا بكم جميعا")
    assert not review.check_line(Segment.objects.get(pk=line.pk)).needed


def test_word_threshold_is_a_setting(drafts, settings):
    line = drafts["one"].segments.get()
    settings.CLIPDESK_WORD_MIN_PROBABILITY = 0.1
    assert not review.check_line(line).needed


def test_worklist_counts_and_sorts_drafts_by_what_needs_checking(client, drafts, roles):
    client.force_login(roles["translator"])
    page = BeautifulSoup(client.get("/staff/work/?status=draft").content, "html.parser")
    rows = [
        (tr.select("td")[1].get_text(), tr.select_one(".to-check").get_text())
        for tr in page.select("tbody tr")
    ]
    assert rows == [
        ("Doubtful draft", "3 lines"),
        ("One to check", "1 line"),
        ("Clean draft", "0 lines"),
        ("Typed by a person", "—"),  # no machine draft: not 0
    ]
    updated = BeautifulSoup(client.get("/staff/work/?status=draft&sort=updated").content, "html.parser")
    assert updated.select_one("tbody tr td:nth-of-type(2)").get_text() == "One to check"  # the newest
    everything = client.get("/staff/work/").content.decode()
    assert "3 lines" in everything


def test_editor_highlights_lines_and_words_to_check(client, drafts, roles):
    client.force_login(roles["translator"])
    response = client.get(f"/staff/clips/id:{drafts['doubtful'].pk}/edit/")
    page = BeautifulSoup(response.content, "html.parser")
    assert [line["id"] for line in page.select(".edit-line.needs-check")] == ["line-1", "line-2", "line-3"]
    assert [mark.get_text() for mark in page.select("#line-1 mark.unsure-word")] == ["بكن"]
    assert page.select_one("#line-1 mark.unsure-word")["title"] == "probability 0.21"
    assert "uncertain (repetition)" in page.select_one("#line-2 .check").get_text()
    assert "3 lines to check" in page.select_one(".check-summary").get_text()
    assert page.select_one("script[src$='editor-check.js']") is not None


def test_public_page_says_an_uncertain_line_is_unchecked(client, drafts, roles):
    clip = archive_actions.publish_clip(drafts["doubtful"], user=None, number=900, confirm_machine_text=True)
    page = BeautifulSoup(client.get(clip.get_absolute_url()).content, "html.parser")
    flagged = [line["id"] for line in page.select(".line") if line.select_one(".uncertain")]
    assert flagged == ["line-2"]
    label = page.select_one("#line-2 .uncertain")
    assert label.get_text() == "uncertain, not checked" and "repetition" in label["title"]
    # corrected by a person, through a correction: no longer unchecked
    line = clip.segments.get(position=1)
    actions.edit_segment(line.pk, user=roles["editor"], version=1, english_text="Welcome, all.")
    actions.edit_segment(line.pk, user=roles["editor"], version=2, original_text="مرحبا بكم جميعا")
    revision = clip.revisions.pending().get()
    actions.publish_correction(revision, user=roles["publisher"], note="Checked against the recording.")
    page = BeautifulSoup(client.get(clip.get_absolute_url()).content, "html.parser")
    assert page.select(".uncertain") == []


def test_an_editor_marks_a_machine_line_checked(client, drafts, roles):
    line = drafts["doubtful"].segments.get(position=1)
    client.force_login(roles["translator"])
    response = client.post(f"/staff/segments/{line.pk}/checked/", {"version": 1})
    assert response.status_code == 302 and response["Location"].endswith("#line-2")
    line.refresh_from_db()
    assert (line.original_origin, line.english_origin, line.version) == ("human", "human", 2)
    assert line.history.first().history_user == roles["translator"]
    assert not review.check_line(line).needed
    assert review.lines_to_check([drafts["doubtful"].pk])[drafts["doubtful"].pk] == 2
    stale = client.post(f"/staff/segments/{line.pk}/checked/", {"version": 1}, follow=True)
    assert "changed by someone else" in stale.content.decode()
    assert client.post(f"/staff/segments/{line.pk}/checked/", {}).status_code == 400
    client.force_login(roles["desk"])
    client.post(f"/staff/segments/{line.pk}/checked/", {"version": 2})
    line.refresh_from_db()
    assert line.version == 2  # the desk may not edit lines


def test_a_published_line_is_checked_through_a_correction(drafts, roles):
    clip = archive_actions.publish_clip(drafts["one"], user=None, number=901, confirm_machine_text=True)
    line = clip.segments.get()
    with pytest.raises(ValidationError, match="correct the line's text"):
        actions.mark_checked(line.pk, user=roles["editor"], version=1)
