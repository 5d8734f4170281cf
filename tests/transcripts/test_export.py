"""Downloads: JSON, text, WebVTT and SRT, from the web and the CLI; round trips through the subtitle reader."""

import json

import pytest
import webvtt
from django.core.management import CommandError, call_command

from clipdesk.archive import actions
from clipdesk.transcripts import export
from clipdesk.transcripts.importing import import_page
from clipdesk.transcripts.subtitles import read_subtitles
from factories.archive import ClipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(timed_clip):
    return actions.publish_clip(timed_clip, user=None, number=100)


def test_vtt_has_voice_tags_and_both_languages(client, published):
    english = client.get("/clips/100/captions/en.vtt")
    assert english.status_code == 200 and english["Content-Type"] == "text/vtt; charset=utf-8"
    body = english.content.decode()
    assert body.startswith("WEBVTT")
    assert "00:00:01.500 --> 00:00:04.000" in body
    assert "<v Ali Hassan>Thank you [all] for having me." in body
    arabic = client.get("/clips/100/captions/ar.vtt").content.decode()
    assert "<v Host>مرحبا بكم" in arabic
    assert client.get("/clips/100/captions/fa.vtt").status_code == 404
    assert client.get("/clips/100/captions/en.txt").status_code == 404


@pytest.mark.parametrize(("language", "field"), [("en", "english_text"), ("ar", "original_text")])
@pytest.mark.parametrize("fmt", ["vtt", "srt"])
def test_round_trip_segments_to_subtitles_and_back(client, published, language, field, fmt):
    body = client.get(f"/clips/100/captions/{language}.{fmt}").content
    cues = read_subtitles(body).cues
    segments = list(published.segments.in_order())
    assert [(c.start_ms, c.end_ms) for c in cues] == [(s.start_ms, s.end_ms) for s in segments]
    expected = [getattr(s, field) for s in segments]
    if fmt == "vtt":
        assert [c.text for c in cues] == expected
        assert [c.speaker for c in cues] == [s.speaker.label for s in segments]
    else:  # SRT has no voice tags: the speaker leads the text
        assert [c.text for c in cues] == [
            f"{s.speaker.label}: {t}" for s, t in zip(segments, expected, strict=True)
        ]
    again = export.to_vtt(published, language) if fmt == "vtt" else export.to_subrip(published, language)
    assert again == body.decode()


@pytest.mark.parametrize(("language", "field"), [("en", "english_text"), ("ar", "original_text")])
def test_captions_read_the_same_in_an_independent_webvtt_reader(client, published, language, field):
    """webvtt-py, which shares no code with clipdesk, reads our captions as the segments say."""
    body = client.get(f"/clips/100/captions/{language}.vtt").content.decode()
    captions = webvtt.from_string(body)
    segments = list(published.segments.in_order())
    assert [(_ms(c.start), _ms(c.end)) for c in captions] == [(s.start_ms, s.end_ms) for s in segments]
    assert [c.voice for c in captions] == [s.speaker.label for s in segments]
    assert [c.text for c in captions] == [getattr(s, field) for s in segments]


def _ms(timestamp: str) -> int:
    """'00:01:02.500' as milliseconds."""
    hours, minutes, seconds = timestamp.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


def test_text_and_json(client, published):
    text = client.get("/clips/100/transcript.txt").content.decode()
    assert text.startswith("#100 | 00:08\nBilingual interview\n")
    assert (
        "Ali Hassan:\n[0:01] (ar) شكرا [لكم] على الاستضافة\n[0:01] (en) Thank you [all] for having me."
        in text
    )
    data = client.get("/clips/100.json").json()
    assert data["number"] == 100 and data["languages"] == ["en", "ar"]
    assert [s["english_text"] for s in data["segments"]][:2] == ["Welcome.", "Thank you [all] for having me."]
    assert data["segments"][1]["original_language"] == "ar"
    assert data["speakers"][1]["label"] == "Ali Hassan"
    assert data["citation"].endswith(data["url"])


def test_untimed_clip_has_no_captions_but_text_and_json(client, sample_page_text):
    import_page(sample_page_text, source="p.txt")
    response = client.get("/clips/8891/captions/en.vtt")
    assert response.status_code == 404
    assert "no timings" in response.content.decode()
    assert client.get("/clips/8891/captions/en.srt").status_code == 404
    assert client.get("/clips/8891/transcript.txt").status_code == 200
    assert len(client.get("/clips/8891.json").json()["segments"]) == 12


def test_downloads_follow_visibility(client, timed_clip, roles):
    assert client.get(f"/clips/id:{timed_clip.pk}/captions/en.vtt").status_code == 404
    client.force_login(roles["translator"])
    assert client.get(f"/clips/id:{timed_clip.pk}/captions/en.vtt").status_code == 200
    client.logout()
    clip = actions.publish_clip(timed_clip, user=None)
    actions.withdraw_clip(clip, user=None, reason="Wrong channel")
    assert client.get(f"/clips/{clip.number}.json").status_code == 410
    assert client.get(f"/clips/{clip.number}/captions/en.vtt").status_code == 410


def test_export_command(published, capsys):
    call_command("export", "100", "--format", "vtt", "--language", "ar")
    assert "<v Host>مرحبا بكم" in capsys.readouterr().out
    call_command("export", f"id:{published.pk}", "--format", "json")
    assert json.loads(capsys.readouterr().out)["number"] == 100
    call_command("export", "100", "--format", "srt")
    assert "00:00:01,500 --> 00:00:04,000" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no text in 'tr'"):
        call_command("export", "100", "--format", "vtt", "--language", "tr")
    draft = ClipFactory()
    with pytest.raises(CommandError, match="no timings"):
        call_command("export", f"id:{draft.pk}", "--format", "srt")


def test_captions_follow_the_subtitle_rules(client, published):
    """A long line becomes several cues: at most two lines of 42 characters, 1 to 7 seconds each, no
    word cut; the original text is timed by its words."""
    from clipdesk.transcripts.models import Segment

    line = published.segments.order_by("position").first()
    words = [f"word{i}" for i in range(36)]
    Segment.objects.filter(pk=line.pk).update(
        start_ms=0,
        end_ms=18_000,
        english_text=" ".join(words),
        original_text=" ".join(words),
        original_language="ar",
        words=[[i * 500, i * 500 + 400, w, 0.9] for i, w in enumerate(words)],
    )
    for language in ("en", "ar"):
        cues = [c for c in export.cues(published, language) if c.identifier.startswith("line-1")]
        assert len(cues) >= 3, cues
        assert " ".join(c.text.replace("\n", " ") for c in cues) == " ".join(words)
        for cue in cues:
            assert len(cue.text.split("\n")) <= 2 and all(len(row) <= 42 for row in cue.text.split("\n"))
            assert 1000 <= cue.end_ms - cue.start_ms <= 7000, cue
        assert [c.identifier for c in cues] == [f"line-1-{n}" for n in range(1, len(cues) + 1)]
    by_words = [c for c in export.cues(published, "ar") if c.identifier.startswith("line-1")]
    first_words = by_words[1].text.split()
    assert by_words[1].start_ms == words.index(first_words[0]) * 500  # the word's own time


def test_machine_data_is_in_the_json_for_staff_only(client, published, roles):
    from clipdesk.transcripts.models import Segment

    Segment.objects.filter(clip=published, position=0).update(
        words=[[0, 400, "Welcome.", 0.93]], avg_logprob=-0.2, uncertain=True, uncertain_reason="repetition"
    )
    public = client.get("/clips/100.json")
    assert "words" not in public.json()["segments"][0] and public["Access-Control-Allow-Origin"] == "*"
    client.force_login(roles["translator"])
    staff = client.get("/clips/100.json")
    first = staff.json()["segments"][0]
    assert first["words"] == [[0, 400, "Welcome.", 0.93]] and first["avg_logprob"] == -0.2
    assert (first["uncertain"], first["uncertain_reason"]) == (True, "repetition")
    assert "private" in staff["Cache-Control"] and "Access-Control-Allow-Origin" not in staff
