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
