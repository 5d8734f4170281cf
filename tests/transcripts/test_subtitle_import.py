"""Importing SRT and WebVTT into a clip: matching by time, by order, and the refusals."""

import pytest
from django.core.management import CommandError, call_command

from clipdesk.archive import actions as archive_actions
from clipdesk.transcripts.subtitle_import import SubtitleImportError, import_subtitles
from clipdesk.transcripts.subtitles import SubtitleError
from factories.archive import ClipFactory
from factories.transcripts import SegmentFactory

pytestmark = pytest.mark.django_db

FARSI_VTT = """WEBVTT

1
00:00:00.100 --> 00:00:01.400
<v Host>سلام

2
00:00:01.600 --> 00:00:02.000
first half

3
00:00:02.100 --> 00:00:03.900
second half

bad
00:00:0x.000 --> 00:00:05.000
broken

4
00:00:09.000 --> 00:00:10.000
<v Narrator>پایان
"""


def texts(clip, field):
    return [getattr(s, field) for s in clip.segments.order_by("position")]


def test_cues_go_to_the_line_they_overlap_most(timed_clip):
    result = import_subtitles(timed_clip, FARSI_VTT, user=None, language="fa", filename="fa.vtt")
    assert (result.matched, result.added) == (2, 1)
    assert any("bad" in w for w in result.warnings)
    assert texts(timed_clip, "original_text") == [
        "سلام",
        "first half second half",
        "ماذا حدث؟",
        "لا شيء...",
        "پایان",
    ]
    last = timed_clip.segments.order_by("position").last()
    assert (last.start_ms, last.english_text, last.speaker.label, last.original_language) == (
        9000,
        "",
        "Narrator",
        "fa",
    )
    assert timed_clip.segments.get(position=1).english_text == "Thank you [all] for having me."


def test_untimed_clip_matched_by_order_only_when_counts_agree():
    clip = ClipFactory()
    for i in range(4):
        SegmentFactory(clip=clip, position=i, english_text=f"line {i}")
    srt = "".join(f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},900\nسطر {i}\n\n" for i in range(4))
    import_subtitles(clip, srt, user=None, language="ar")
    assert texts(clip, "original_text") == ["سطر 0", "سطر 1", "سطر 2", "سطر 3"]
    assert [s.start_ms for s in clip.segments.order_by("position")] == [0, 1000, 2000, 3000]

    other = ClipFactory()
    SegmentFactory(clip=other, position=0)
    with pytest.raises(SubtitleImportError, match="1 untimed lines and the file has 4 cues"):
        import_subtitles(other, srt, user=None, language="ar")


def test_empty_clip_gets_a_line_per_cue():
    clip = ClipFactory()
    import_subtitles(clip, "1\n00:00:01,000 --> 00:00:02,000\nHello\n", user=None, language="en")
    assert texts(clip, "english_text") == ["Hello"]


BACKWARDS_SRT = "1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:00:05,000 --> 00:00:04,000\nBackwards\n"


def test_a_cue_that_ends_before_it_starts_is_a_clear_error():
    """The reader keeps such a cue (with a warning), but no line may end before it starts."""
    empty = ClipFactory()
    with pytest.raises(
        SubtitleImportError, match=r"cue 2 \(00:00:05.000 --> 00:00:04.000\) ends before it starts"
    ):
        import_subtitles(empty, BACKWARDS_SRT, user=None, language="en")
    assert not empty.segments.exists()
    untimed = ClipFactory()
    for i in range(2):
        SegmentFactory(clip=untimed, position=i)
    with pytest.raises(SubtitleImportError, match="ends before it starts"):
        import_subtitles(untimed, BACKWARDS_SRT, user=None, language="en")
    assert not untimed.segments.filter(start_ms__isnull=False).exists()


def test_a_cue_beyond_the_longest_line_time_is_a_clear_error():
    vtt = "WEBVTT\n\n999999999:00:00.000 --> 999999999:00:01.000\nToo late\n"
    with pytest.raises(SubtitleImportError, match="the latest time a line can have"):
        import_subtitles(ClipFactory(), vtt, user=None, language="en")


def test_a_backwards_cue_uploaded_in_the_editor_is_reported(client, roles):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    clip = ClipFactory()
    client = Client(raise_request_exception=False)
    client.force_login(roles["translator"])
    upload = SimpleUploadedFile("en.srt", BACKWARDS_SRT.encode())
    page = client.post(
        f"/staff/clips/id:{clip.pk}/subtitles/", {"file": upload, "language": "en"}, follow=True
    )
    assert page.status_code == 200 and "ends before it starts" in page.content.decode()


def test_not_subtitles_at_all_is_a_clear_error(timed_clip):
    with pytest.raises(SubtitleError):
        import_subtitles(timed_clip, b"\x89PNG\r\n\x1a\n\x00\x00", user=None, language="en", filename="x.srt")


def test_published_clip_refuses_imports(timed_clip):
    clip = archive_actions.publish_clip(timed_clip, user=None)
    with pytest.raises(SubtitleImportError, match="line by line"):
        import_subtitles(clip, FARSI_VTT, user=None, language="fa")


def test_command_and_upload(timed_clip, tmp_path, capsys, client, roles):
    path = tmp_path / "fa.vtt"
    path.write_text(FARSI_VTT, encoding="utf-8")
    call_command("import_subtitles", str(path), "--clip", f"id:{timed_clip.pk}", "--language", "fa")
    captured = capsys.readouterr()
    assert "2 lines updated, 1 lines added" in captured.out and "warning" in captured.err
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes", encoding="utf-8")
    with pytest.raises(CommandError, match=r"notes\.txt"):
        call_command("import_subtitles", str(bad), "--clip", f"id:{timed_clip.pk}", "--language", "en")

    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(roles["translator"])
    upload = SimpleUploadedFile("en.srt", b"1\n00:00:00,000 --> 00:00:01,000\nHi there\n")
    page = client.post(
        f"/staff/clips/id:{timed_clip.pk}/subtitles/", {"file": upload, "language": "en"}, follow=True
    )
    assert "Subtitles read from en.srt" in page.content.decode()
    assert timed_clip.segments.get(position=0).english_text == "Hi there"
