"""Draft quality: the word error rate of each machine draft against the published text, per language,
per clip on the editor page, per channel and month on the staff page and in `clipdesk stats`."""

import io
import json

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command

from clipdesk.archive import actions as archive_actions
from clipdesk.archive.models import Channel
from clipdesk.pipeline.transcribe import Segment as Heard
from clipdesk.transcripts import actions, quality
from clipdesk.transcripts.importing import import_page
from factories.archive import ChannelFactory, ClipFactory

pytestmark = pytest.mark.django_db

ARABIC = ["مرحبا بكم في البرنامج", "شكرا لكم على الاستضافة"]  # 4 words each
ENGLISH = ["Welcome to the program", "Thanks for hosting me here"]  # 4 and 5 words


def ingested(title, lines, *, job=1, channel=None, translate=True):
    """A clip whose draft the ingest action itself stored, as a worker would after transcription."""
    clip = ClipFactory(title=title, channel=channel or station())
    store(clip, lines, job=job, translate=translate)
    return clip


def station():
    return Channel.objects.filter(slug="sahar-tv").first() or ChannelFactory(name="Sahar TV", slug="sahar-tv")


def store(clip, lines, *, job, translate=True):
    heard = [
        Heard(i * 2000, i * 2000 + 1500, text, language=language, translation=english if translate else "")
        for i, (language, text, english) in enumerate(lines)
    ]
    # As ingest stores a job's draft (clipdesk.ingest.actions).
    actions.store_machine_transcript(
        clip, heard, speakers=False, language=lines[0][0], reason=actions.machine_draft_reason(job)
    )


def correct(clip, user, position, **fields):
    line = clip.segments.get(position=position)
    actions.edit_segment(line.pk, user=user, version=line.version, **fields)


@pytest.fixture
def corrected(roles):
    """An Arabic machine draft published, then corrected: one Arabic word, two English words."""
    clip = ingested("Interview", [("ar", ARABIC[0], ENGLISH[0]), ("ar", ARABIC[1], ENGLISH[1])])
    clip = archive_actions.publish_clip(clip, user=None, number=500, confirm_machine_text=True)
    correct(
        clip, roles["editor"], 0, original_text="مرحبا بكم في برنامجنا", english_text="Welcome to our show"
    )
    actions.publish_correction(clip.revisions.pending().get(), user=roles["publisher"], note="Checked.")
    return clip


def test_word_error_rate_per_language_against_the_published_text(corrected):
    [measured] = quality.measure([corrected])
    assert measured.has_draft
    ar, en = measured.scores[("transcript", "ar")], measured.scores[("translation", "en")]
    assert (ar.errors, ar.words, ar.rate) == (1, 8, 1 / 8)
    assert (en.errors, en.words) == (2, 9)  # "the program" -> "our show"


def test_clips_without_a_machine_draft_are_shown_as_such_not_as_zero(
    client, corrected, roles, sample_page_text
):
    imported = import_page(sample_page_text, source="p.txt").clip
    typed = ClipFactory(title="Typed", published=True)
    results = {q.clip.pk: q for q in quality.measure([imported, typed, corrected])}
    assert not results[imported.pk].has_draft and results[imported.pk].scores == {}
    assert not results[typed.pk].has_draft
    client.force_login(roles["translator"])
    editor = BeautifulSoup(client.get(f"/staff/clips/id:{imported.pk}/edit/").content, "html.parser")
    assert editor.select_one(".draft-quality").get_text() == "No machine draft: imported or typed by people."
    editor = BeautifulSoup(client.get(f"/staff/clips/id:{corrected.pk}/edit/").content, "html.parser")
    text = editor.select_one(".draft-quality").get_text()
    assert "transcript (ar) 12.5% of words changed" in text and "English translation 22.2%" in text
    page = BeautifulSoup(client.get("/staff/quality/").content, "html.parser")
    clips = {row.select_one("td a").get_text(): row for row in page.select(".quality-clips tbody tr")}
    assert clips[f"{typed.reference} Typed"].select_one(".no-draft").get_text() == "No machine draft"
    assert "12.5%" in clips[f"{corrected.reference} Interview"].get_text()
    sahar = [row for row in page.select(".quality tbody tr") if "Sahar TV" in row.get_text()]
    cells = [td.get_text(strip=True) for td in sahar[0].select("td")]
    assert cells[2:] == ["1", "1", "12.5%", "22.2%"]  # clips, with a draft, then each kind


def test_edits_before_publication_count_and_the_draft_survives_splits(roles):
    clip = ingested("Drafted", [("ar", ARABIC[0], ENGLISH[0]), ("ar", ARABIC[1], ENGLISH[1])])
    first = clip.segments.get(position=0)
    actions.split_segment(first.pk, user=roles["translator"], version=1, at=len("Welcome to"))
    archive_actions.publish_clip(clip, user=None, number=501, confirm_machine_text=True)
    [measured] = quality.measure([clip])
    assert measured.scores[("transcript", "ar")].errors == 0  # split, not changed: the same words
    assert measured.scores[("translation", "en")].errors == 0


def test_a_second_ingest_job_s_draft_replaces_the_first(roles):
    clip = ingested("Run again", [("fa", "سلام", "Hello")], job=1)
    clip.segments.all().delete()
    store(clip, [("ar", ARABIC[0], ENGLISH[0])], job=2)
    [measured] = quality.measure([clip])
    assert set(measured.scores) == {("transcript", "ar"), ("translation", "en")}
    assert measured.scores[("transcript", "ar")].errors == 0


def test_english_speech_is_a_transcript_and_no_translation_was_made(roles):
    spoken = ingested("Speech", [("en", "We will win", "We will win")])
    untranslated = ingested("Untranslated", [("ar", ARABIC[0], "")], translate=False)
    correct(spoken, roles["translator"], 0, english_text="We shall win")
    scores = {q.clip.title: q.scores for q in quality.measure([spoken, untranslated])}
    assert scores["Speech"] == {("transcript", "en"): quality.Score(words=3, errors=1)}
    assert set(scores["Untranslated"]) == {("transcript", "ar")}  # no machine translation to measure


def run_stats(*args) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_stats_command(corrected, sample_page_text):
    import_page(sample_page_text, source="p.txt")
    month = corrected.published_at.strftime("%Y-%m")
    text = run_stats("--channel", "sahar-tv")
    assert text.splitlines() == [
        f"Sahar TV  {month}  1 clip, 1 from a machine draft, 0 without one (imported or typed)",
        "    transcript (ar): 12.5% of 8 published words changed",
        "    English translation: 22.2% of 9 published words changed",
    ]
    everything = run_stats()
    assert "0 from a machine draft, 1 without one (imported or typed)" in everything
    [line] = [json.loads(row) for row in run_stats("--json", "--channel", "sahar-tv").splitlines()]
    assert line["with_machine_draft"] == 1
    assert line["word_error_rate"]["transcript:ar"] == {"words": 8, "errors": 1, "rate": 0.125}
    with pytest.raises(CommandError, match="No channel 'nowhere'"):
        run_stats("--channel", "nowhere")
