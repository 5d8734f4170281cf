"""`clipdesk demo-clip`: the demo's clips come from the real pipeline, once each: JFK's address in
English, and the Arabic samples as a bilingual clip whose English a person wrote."""

import itertools
import wave

import pytest
from django.core.management import call_command

from clipdesk.archive.models import Clip
from clipdesk.ingest import demo
from clipdesk.ingest.management.commands.demo_clip import BILINGUAL_TITLE, TITLE
from clipdesk.transcripts.models import Origin
from factories.archive import ClipFactory
from factories.transcripts import SegmentFactory

pytestmark = pytest.mark.django_db


def test_the_arabic_samples_are_joined_with_their_texts(tmp_path):
    parts = demo.join_samples(tmp_path / "joined.wav")
    assert [p.name for p in parts] == [f"ar_wavenet_0{n}" for n in range(1, 6)]
    assert parts[0].original == "الحرارة كام" and parts[0].english == "How hot is it?"
    assert all(a.end_ms < b.start_ms for a, b in itertools.pairwise(parts))
    with wave.open(str(tmp_path / "joined.wav")) as joined:
        seconds = joined.getnframes() / joined.getframerate()
        assert joined.getnchannels() == 1
    assert seconds * 1000 == pytest.approx(parts[-1].end_ms + demo.PAUSE_SECONDS * 1000, abs=2)


def test_reference_texts_replace_the_machine_drafts_which_stay_in_the_history(tmp_path):
    parts = demo.join_samples(tmp_path / "joined.wav")
    clip = ClipFactory()
    # The recogniser cut the recording its own way: the first two samples in one line, then one each.
    cuts = [(0, parts[1].end_ms + 300), *((p.start_ms - 100, p.end_ms + 100) for p in parts[2:])]
    for position, (start, end) in enumerate(cuts):
        SegmentFactory(
            clip=clip,
            position=position,
            start_ms=start,
            end_ms=end,
            original_text="مسودة",
            original_language="ar",
            original_origin=Origin.MACHINE,
            english_text="Machine draft.",
            english_origin=Origin.MACHINE,
        )
    assert demo.apply_reference_texts(clip, parts) == 4
    lines = list(clip.segments.in_order())
    assert [s.english_text for s in lines] == [
        "How hot is it? What time is it?",
        "Is the garage door open or shut?",
        "What is the temperature?",
        "What is the time?",
    ]
    assert lines[0].original_text == "الحرارة كام الساعة كام"
    assert {(s.original_origin, s.english_origin) for s in lines} == {(Origin.HUMAN, Origin.HUMAN)}
    assert [h.english_text for h in lines[0].history.order_by("history_date")] == [
        "Machine draft.",
        "How hot is it? What time is it?",
    ]


@pytest.mark.slow
def test_demo_clips_are_ingested_published_and_made_once(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo_clip")
    clip = Clip.objects.get(title=TITLE)
    assert clip.status == Clip.Status.PUBLISHED and clip.number
    assert clip.media.get().mime_type == "video/mp4"
    assert "americans" in " ".join(s.english_text.lower() for s in clip.segments.all())
    assert clip.segments.filter(english_origin="machine").exists()
    bilingual = Clip.objects.get(title=BILINGUAL_TITLE)
    assert bilingual.status == Clip.Status.PUBLISHED and bilingual.media.get().mime_type == "video/mp4"
    lines = list(bilingual.segments.in_order())
    assert {s.original_language for s in lines} == {"ar"}
    assert " ".join(s.english_text for s in lines) == (
        "How hot is it? What time is it? Is the garage door open or shut? What is the temperature? "
        "What is the time?"
    )
    assert all(s.history.filter(english_origin="machine").exists() for s in lines)  # the draft is kept
    assert "Published" in capsys.readouterr().out
    call_command("demo_clip")
    assert Clip.objects.filter(origin=Clip.Origin.INGESTED).count() == 2
    assert capsys.readouterr().out.count("already there") == 2
