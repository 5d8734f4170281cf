"""Translator notes: added through the editor's autosave, shown beside the line to readers, in the
JSON, the API and the exports, kept in the history, and corrected like the text on a published clip."""

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from clipdesk.archive import actions as archive_actions
from clipdesk.transcripts import actions
from clipdesk.transcripts.models import Segment

pytestmark = pytest.mark.django_db

NOTE = "Literally: 'thank you on the hosting'; could also be rendered as 'thank you for inviting me'."


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def second_line(clip) -> Segment:
    return Segment.objects.get(clip=clip, position=1)


def note_beside(client, clip, line: int) -> str | None:
    page = BeautifulSoup(client.get(clip.get_absolute_url()).content, "html.parser")
    note = page.select_one(f"#line-{line} .translator-note")
    return note and note.get_text(" ", strip=True)


def test_translator_adds_a_note_to_a_draft_line_and_readers_see_it(client, timed_clip, roles):
    client.force_login(roles["translator"])
    segment = second_line(timed_clip)
    saved = post_json(client, f"/staff/segments/{segment.pk}/", {"version": 1, "note": NOTE})
    assert saved.status_code == 200 and saved.json()["note"] == NOTE
    editor = BeautifulSoup(client.get(f"/staff/clips/id:{timed_clip.pk}/edit/").content, "html.parser")
    assert editor.select_one("#line-2 textarea[data-field=note]").get_text() == NOTE
    segment = second_line(timed_clip)
    assert segment.english_origin == "human" and segment.english_text == "Thank you [all] for having me."
    assert [h.note for h in segment.history.order_by("history_id")] == ["", NOTE]
    assert segment.history.first().history_user == roles["translator"]

    clip = archive_actions.publish_clip(timed_clip, user=None, number=300)
    client.logout()
    assert note_beside(client, clip, 2) == f"Translator's note: {NOTE}"
    assert note_beside(client, clip, 1) is None
    quote = client.get("/clips/300/lines/2/").content.decode()
    assert NOTE.replace("'", "&#x27;") in quote


def test_note_is_in_the_json_the_api_and_the_exports(client, timed_clip, roles):
    segment = second_line(timed_clip)
    actions.edit_segment(segment.pk, user=roles["translator"], version=1, note=NOTE)
    archive_actions.publish_clip(timed_clip, user=None, number=301)
    document = client.get("/clips/301.json").json()
    assert [s["note"] for s in document["segments"]] == ["", NOTE, "", ""]
    api = client.get("/api/clips/301").json()
    assert [s["note"] for s in api["segments"]] == ["", NOTE, "", ""]
    text = client.get("/clips/301/transcript.txt").content.decode()
    assert f"(en) Thank you [all] for having me.\n       [Translator's note: {NOTE}]\n" in text
    out = io.StringIO()
    call_command("export_archive", "--format", "csv", stdout=out, stderr=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["note"] for row in rows] == ["", NOTE, "", ""]


def test_on_a_published_clip_a_note_waits_for_a_correction(client, timed_clip, roles):
    clip = archive_actions.publish_clip(timed_clip, user=None, number=302)
    segment = second_line(clip)
    client.force_login(roles["editor"])  # a published clip's lines are proposed for correction by editors
    saved = post_json(client, f"/staff/segments/{segment.pk}/", {"version": 1, "note": NOTE})
    assert saved.status_code == 200 and saved.json()["pending"] and saved.json()["note"] == NOTE
    assert second_line(clip).note == ""
    client.logout()
    assert note_beside(client, clip, 2) is None  # readers do not see it yet

    revision = clip.revisions.pending().get()
    assert [(e.field, e.before, e.after) for e in revision.edits.all()] == [("note", "", NOTE)]
    actions.publish_correction(revision, user=roles["publisher"], note="A translator's note on line 2.")
    assert note_beside(client, clip, 2) == f"Translator's note: {NOTE}"
    page = BeautifulSoup(client.get(clip.get_absolute_url()).content, "html.parser")
    correction = page.select_one(".corrections li")
    assert "A translator's note on line 2." in correction.get_text()
    assert correction.select_one(".correction-diffs ins").get_text() == NOTE
    assert client.get("/clips/302.json").json()["segments"][1]["note"] == NOTE


@pytest.mark.parametrize(
    ("body", "message"),
    [({"note": None}, "note must be a string"), ({"note": "x" * 2001}, "note is at most 2000 characters")],
)
def test_autosave_refuses_a_malformed_note(client, timed_clip, roles, body, message):
    client.force_login(roles["translator"])
    response = post_json(client, f"/staff/segments/{second_line(timed_clip).pk}/", {"version": 1, **body})
    assert response.status_code == 400 and message in response.json()["error"]
