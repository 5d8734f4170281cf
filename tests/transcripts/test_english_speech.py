"""English speech: its machine text is a transcript, not a translation, and it is shown once."""

import pytest
from bs4 import BeautifulSoup
from django.utils.safestring import mark_safe

from clipdesk.archive import actions
from clipdesk.search.render import _line
from clipdesk.search.services import Line
from factories.archive import ClipFactory
from factories.transcripts import SegmentFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

SPOKEN = "We will not stop until the end."


@pytest.fixture
def mixed(db):
    """A machine draft of a recording that switches from Arabic to English, published as it is."""
    clip = ClipFactory(title="Switching languages")
    host = SpeakerFactory(clip=clip, label="Host")
    machine = {"original_origin": "machine", "english_origin": "machine", "speaker": host}
    SegmentFactory(
        clip=clip, position=0, start_ms=0, end_ms=2000, original_text="مرحبا بكم", original_language="ar",
        english_text="Welcome.", **machine,
    )  # fmt: skip
    SegmentFactory(
        clip=clip, position=1, start_ms=2000, end_ms=4000, original_text=SPOKEN, original_language="en",
        english_text=SPOKEN, **machine,
    )  # fmt: skip
    return actions.publish_clip(clip, user=None, number=700, confirm_machine_text=True)


def test_clip_page_labels_english_speech_a_transcript_and_shows_it_once(client, mixed):
    page = BeautifulSoup(client.get(mixed.get_absolute_url()).content, "html.parser")
    english_line = page.select_one("#line-2")
    assert english_line.get_text().count(SPOKEN) == 1
    assert [label.get_text() for label in english_line.select(".machine")] == ["machine transcript"]
    arabic_line = page.select_one("#line-1")
    assert [label.get_text() for label in arabic_line.select(".machine")] == [
        "machine transcript",
        "machine translation",
    ]


def test_text_export_has_english_speech_once(client, mixed):
    text = client.get("/clips/700/transcript.txt").content.decode()
    assert text.count(SPOKEN) == 1
    assert f"[0:02] (en) {SPOKEN}" in text
    assert "[0:00] (ar) مرحبا بكم\n[0:00] (en) Welcome." in text


def test_english_only_clip_text_export_has_each_line_once(client):
    clip = ClipFactory(title="An English speech")
    SegmentFactory(clip=clip, position=0, original_text=SPOKEN, original_language="en", english_text=SPOKEN)
    actions.publish_clip(clip, user=None, number=701)
    text = client.get("/clips/701/transcript.txt").content.decode()
    assert text.count(SPOKEN) == 1


def test_quote_page_shows_english_speech_once(client, mixed):
    response = client.get("/clips/700/lines/2/")
    quote = BeautifulSoup(response.content, "html.parser").select_one("blockquote")
    assert quote.get_text().count(SPOKEN) == 1
    assert "machine transcript" in quote.get_text()
    arabic = BeautifulSoup(client.get("/clips/700/lines/1/").content, "html.parser").select_one("blockquote")
    assert "مرحبا بكم" in arabic.get_text() and "Welcome." in arabic.get_text()


def test_search_result_shows_english_speech_once():
    def line(language, original, english):
        return Line(
            segment_id=1, clip_id=1, position=0, start_ms=0, speaker="Host", english_text=english,
            original_text=original, original_language=language, english_html=mark_safe(english),
            original_html=mark_safe(original), url="/clips/1/x/?t=0",
        )  # fmt: skip

    assert _line(line("en", SPOKEN, SPOKEN)).count(SPOKEN) == 1
    assert _line(line("en-GB", SPOKEN, SPOKEN)).count(SPOKEN) == 1
    both = _line(line("ar", "مرحبا بكم", "Welcome."))
    assert "مرحبا بكم" in both and "Welcome." in both
