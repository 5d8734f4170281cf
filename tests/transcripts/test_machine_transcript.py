"""A machine draft is stored through the transcripts app's own action: lines with their languages,
English, words and scores, voices numbered, in one transaction with history."""

import pytest
from django.core.exceptions import PermissionDenied

from clipdesk.pipeline.transcribe import Segment as Line
from clipdesk.pipeline.transcribe import Word
from clipdesk.transcripts import actions
from clipdesk.transcripts.models import Segment
from factories.archive import ClipFactory

pytestmark = pytest.mark.django_db


def lines() -> list[Line]:
    return [
        Line(
            0,
            1500,
            "مرحبا بكم",
            [Word(0, 700, "مرحبا", 0.91), Word(700, 1500, "بكم", 0.8)],
            speaker=1,
            language="ar",
            language_probability=0.97,
            avg_logprob=-0.3,
            translation="Welcome.",
        ),
        Line(1500, 3000, "Thank you.", speaker=0, language="en", translation="Thank you."),
        Line(3000, 4000, "ثم", speaker=1, language="", translation="", uncertain=["repetition"]),
        Line(4000, 5000, "Jawa", speaker=0, language="jw", translation="Java"),
    ]


def test_a_machine_draft_is_stored_with_its_voices_languages_and_scores(roles):
    clip = ClipFactory(title="Interview")
    stored = actions.store_machine_transcript(
        clip, lines(), user=roles["editor"], language="ar", reason="ingest job 7"
    )
    rows = list(Segment.objects.filter(clip=clip).order_by("position"))
    assert len(stored) == len(rows) == 4
    assert [r.speaker.label for r in rows] == ["unidentified voice 1", "unidentified voice 2"] * 2
    assert [r.original_language for r in rows] == ["ar", "en", "ar", "jv"]  # "" took the recording's
    assert [(r.english_text, r.english_origin) for r in rows][2] == ("", "human")
    assert rows[0].english_origin == rows[0].original_origin == "machine"
    assert rows[0].words == [[0, 700, "مرحبا", 0.91], [700, 1500, "بكم", 0.8]]
    assert (rows[0].language_probability, rows[0].avg_logprob) == (0.97, -0.3)
    assert (rows[2].uncertain, rows[2].uncertain_reason) == (True, "repetition")
    history = rows[0].history.first()
    assert (history.history_user, history.history_change_reason) == (roles["editor"], "ingest job 7")


def test_no_attribution_and_one_voice(roles):
    clip = ClipFactory()
    actions.store_machine_transcript(clip, lines(), speakers=False)
    assert not Segment.objects.filter(clip=clip, speaker__isnull=False).exists()
    single = [line for line in lines() if line.speaker == 0]
    other = ClipFactory()
    actions.store_machine_transcript(other, single)
    assert {s.speaker.label for s in Segment.objects.filter(clip=other)} == {"unidentified voice"}


def test_storing_a_machine_draft_needs_the_permission_to_add_lines(roles):
    clip = ClipFactory()
    with pytest.raises(PermissionDenied):
        actions.store_machine_transcript(clip, lines(), user=roles["reader"])
    assert not Segment.objects.filter(clip=clip).exists()
