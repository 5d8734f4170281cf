"""Tests of clipdesk.transcripts.subtitles: writing, reading, format detection, malformed input."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipdesk.transcripts.subtitles import Cue, ReadResult, SubtitleError, read_subtitles, to_srt, to_webvtt

CUES = [
    Cue(0, 1500, "Good evening.", speaker="Anchor"),
    Cue(1500, 4250, "Tonight: floods in the north\nand the budget vote.", speaker="Anchor"),
    Cue(4250, 6000, "  Indented, no speaker."),
    Cue(3_600_000 + 61_001, 3_600_000 + 62_999, "Past the first hour.", speaker="Reporter in the field"),
]
# RUF001 flags Arabic letters that look like Latin ones; Arabic is the point here.
ARABIC = [
    Cue(0, 2000, "مساء الخير، وأهلاً بكم في نشرة الأخبار.", speaker="المذيعة"),
    Cue(2000, 5000, "الأمطار الغزيرة تغمر الشمال\nوالبرلمان يصوّت على الميزانية."),  # noqa: RUF001
]


def essentials(cues):
    return [(cue.start_ms, cue.end_ms, cue.text, cue.speaker) for cue in cues]


# -- round trips -----------------------------------------------------------------------------------


def test_webvtt_round_trip():
    result = read_subtitles(to_webvtt(CUES))
    assert essentials(result.cues) == essentials(CUES)
    assert result.warnings == []


def test_webvtt_round_trip_as_bytes():
    assert essentials(read_subtitles(to_webvtt(CUES).encode("utf-8")).cues) == essentials(CUES)


def test_webvtt_identifiers_are_kept_or_numbered():
    cues = [
        Cue(0, 1000, "a", identifier="intro"),
        Cue(1000, 2000, "b"),
        Cue(2000, 3000, "c", identifier="x y"),
    ]
    output = to_webvtt(cues)
    assert output.startswith("WEBVTT\n\nintro\n00:00:00.000 --> 00:00:01.000\na\n\n2\n00:00:01.000")
    assert [cue.identifier for cue in read_subtitles(output).cues] == ["intro", "2", "x y"]


def test_webvtt_output_format():
    assert to_webvtt([Cue(61_001, 3_723_004, "hi", speaker="Ann")]) == (
        "WEBVTT\n\n1\n00:01:01.001 --> 01:02:03.004\n<v Ann>hi</v>\n\n"
    )
    assert to_webvtt([]) == "WEBVTT\n\n"
    assert read_subtitles(to_webvtt([])).cues == []


def test_srt_round_trip_without_speakers():
    cues = [Cue(c.start_ms, c.end_ms, c.text) for c in CUES]
    result = read_subtitles(to_srt(cues))
    assert essentials(result.cues) == essentials(cues)
    assert [cue.identifier for cue in result.cues] == ["1", "2", "3", "4"]
    assert result.warnings == []


def test_srt_speaker_becomes_a_text_prefix():
    # SRT has no voice tag, and SRT text is read as is, so the speaker comes back inside the text.
    output = to_srt([Cue(0, 1500, "Good evening.", speaker="Anchor")])
    assert output == "1\n00:00:00,000 --> 00:00:01,500\nAnchor: Good evening.\n\n"
    [cue] = read_subtitles(output).cues
    assert (cue.text, cue.speaker) == ("Anchor: Good evening.", None)


def test_srt_keeps_order_and_degenerate_cues():
    # srt.compose's default reindexing sorts cues and drops empty or zero-length ones; we do not.
    cues = [Cue(5000, 6000, "later"), Cue(0, 0, "instant"), Cue(1000, 2000, "earlier")]
    assert essentials(read_subtitles(to_srt(cues)).cues) == essentials(cues)


@pytest.mark.parametrize("write", [to_webvtt, to_srt])
def test_arabic_round_trip(write):
    data = write(ARABIC).encode("utf-8")
    cues = read_subtitles(data, filename="news.ar").cues
    if write is to_webvtt:
        assert essentials(cues) == essentials(ARABIC)
    else:
        assert [cue.text for cue in cues] == ["المذيعة: " + ARABIC[0].text, ARABIC[1].text]
        assert [(cue.start_ms, cue.end_ms) for cue in cues] == [(0, 2000), (2000, 5000)]


# -- escaping and markup ---------------------------------------------------------------------------


def test_webvtt_escapes_markup_characters():
    cue = Cue(0, 1000, "a < b && c > d --> e &amp; <i>f</i>", speaker="R&D <team>")
    output = to_webvtt([cue])
    assert "a &lt; b &amp;&amp; c &gt; d --&gt; e &amp;amp; &lt;i&gt;f&lt;/i&gt;" in output
    assert "<v R&amp;D &lt;team&gt;>" in output
    [back] = read_subtitles(output).cues
    assert (back.text, back.speaker) == (cue.text, cue.speaker)


def test_webvtt_markup_is_removed_on_reading():
    data = (
        "WEBVTT\n\n00:00.000 --> 00:01.000\n<v.loud Esme Smith>It's <b>a</b> <i.x>blue</i> "
        "<00:00:00.500>whale &amp; a &lt;fish&gt;&nbsp;!</v>\n"
    )
    [cue] = read_subtitles(data).cues
    assert (cue.text, cue.speaker) == ("It's a blue whale & a <fish>\xa0!", "Esme Smith")


def test_webvtt_unescaped_less_than_is_kept():
    [cue] = read_subtitles("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ann>x < 3 and <b>y</b> << z\n").cues
    assert (cue.text, cue.speaker) == ("x < 3 and y << z", "Ann")


def test_webvtt_several_speakers_stay_in_the_text():
    data = "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ann>Hello.</v>\n<v Bob>Hi!</v>\n"
    [cue] = read_subtitles(data).cues
    assert (cue.text, cue.speaker) == ("Ann: Hello.\nBob: Hi!", None)


def test_srt_text_is_kept_as_is():
    [cue] = read_subtitles("1\n00:00:00,000 --> 00:00:01,000\n<i>Ann:</i> a &amp; b\n").cues
    assert (cue.text, cue.speaker) == ("<i>Ann:</i> a &amp; b", None)


def test_empty_lines_in_text_are_dropped_when_writing():
    # An empty line would end the cue in either format.
    cue = Cue(0, 1000, "one\n\ntwo\r\nthree")
    assert read_subtitles(to_webvtt([cue])).cues[0].text == "one\ntwo\nthree"
    assert read_subtitles(to_srt([cue])).cues[0].text == "one\ntwo\nthree"


@pytest.mark.parametrize("write", [to_webvtt, to_srt])
def test_negative_times_are_refused(write):
    with pytest.raises(SubtitleError, match="negative"):
        write([Cue(-1, 1000, "x")])


@pytest.mark.parametrize("identifier", ["a --> b", "two\nlines"])
def test_unwritable_webvtt_identifier_is_refused(identifier):
    with pytest.raises(SubtitleError, match="identifier"):
        to_webvtt([Cue(0, 1000, "x", identifier=identifier)])


# -- not subtitles ---------------------------------------------------------------------------------

NOT_SUBTITLES = {
    "random bytes": random.Random(20240501).randbytes(2048),
    "JSON": json.dumps({"cues": [{"start": 0, "end": 1, "text": "x --> y"}]}).encode(),
    "HTML": b"<!doctype html><title>WEBVTT</title>",
    "plain text": "Just a transcript, no timings.\n",
    "timings without a number": "00:00:00,000 --> 00:00:01,000\nheaderless\n",
}


@pytest.mark.parametrize("data", NOT_SUBTITLES.values(), ids=NOT_SUBTITLES.keys())
def test_not_a_subtitle_file(data):
    with pytest.raises(SubtitleError, match=r"^clip\.vtt: not a WebVTT or SRT file") as error:
        read_subtitles(data, filename="clip.vtt")
    assert "'WEBVTT' signature or a numbered SRT cue" in str(error.value)


@pytest.mark.parametrize("data", [b"", "", b"\xef\xbb\xbf", " \n\r\n\t"])
def test_empty_file(data):
    with pytest.raises(SubtitleError, match="empty"):
        read_subtitles(data)


def test_not_utf8_is_said():
    with pytest.raises(SubtitleError, match="not UTF-8"):
        read_subtitles(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", filename="x.srt")


# -- malformed cues --------------------------------------------------------------------------------


def test_webvtt_malformed_timing_skips_only_that_cue():
    data = (
        "WEBVTT\n"
        "\n"
        "one\n"
        "00:00:00.000 --> 00:00:01.000\n"
        "first\n"
        "\n"
        "two\n"
        "00:00:01.000 --> 00:00:2.000\n"
        "broken\n"
        "\n"
        "00:00:02.000 --> 00:00:03.000\n"
        "third\n"
    )
    result = read_subtitles(data)
    assert [(cue.identifier, cue.text) for cue in result.cues] == [("one", "first"), (None, "third")]
    [warning] = result.warnings
    assert warning.startswith("cue 2 (line 8, id 'two'): skipped, end time")
    assert "'00:00:01.000 --> 00:00:2.000'" in warning


def test_webvtt_stray_text_and_backwards_cue_are_reported():
    data = "WEBVTT\n\nNOTE a comment\n\n00:01.000 --> 00:00.500\nback\n\nstray text\n"
    result = read_subtitles(data)
    assert [cue.text for cue in result.cues] == ["back"]  # kept, as the spec's parser does
    assert result.warnings == [
        "cue 1 (line 5): kept, but it ends before it starts",
        "line 8: skipped a block without cue timings: 'stray text'",
    ]


def test_srt_garbage_is_skipped_and_reported():
    data = (
        "1\n00:00:00,000 --> 00:00:01,000\nfirst\n\n"
        "2\n00:00:01,000 -> 00:00:02,000\nbroken arrow\n\n"
        "3\n00:00:02,000 --> 00:00:03,000\nthird\n"
    )
    result = read_subtitles(data)
    assert [cue.text for cue in result.cues] == ["first", "third"]
    [warning] = result.warnings
    assert warning == "line 5: skipped text that is not an SRT cue: '2'"


def test_srt_impossible_time_raises_subtitle_error():
    with pytest.raises(SubtitleError, match="impossible"):
        read_subtitles("1\n99999999999:00:00,000 --> 99999999999:00:01,000\nx\n")


def test_srt_long_digit_run_is_refused_quickly():
    # srt's own regex would take minutes on this (cubic in the length of the run).
    with pytest.raises(SubtitleError, match="line 2: a number of more than 40 digits"):
        read_subtitles("1\n" + "0" * 5000 + " --> 00:00:01,000\n")


# -- format detection ------------------------------------------------------------------------------


def test_webvtt_named_srt_is_read_as_webvtt():
    data = "WEBVTT\n\nintro\n00:01.000 --> 00:02.000\n<v Ann>Hello &amp; welcome</v>\n"
    [cue] = read_subtitles(data.encode(), filename="x.srt").cues
    assert (cue.identifier, cue.text, cue.speaker) == ("intro", "Hello & welcome", "Ann")


def test_srt_named_vtt_is_read_as_srt():
    [cue] = read_subtitles(b"1\r\n00:00:01,000 --> 00:00:02,000\r\n<v Ann>x</v>\r\n", filename="x.vtt").cues
    assert (cue.start_ms, cue.end_ms, cue.text, cue.speaker) == (1000, 2000, "<v Ann>x</v>", None)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("utf-16"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("\n", "\r\n").encode(),
        lambda text: text.replace("\n", "\r").encode(),
    ],
    ids=["utf-8 BOM", "utf-16", "str BOM", "CRLF", "CR"],
)
@pytest.mark.parametrize("write", [to_webvtt, to_srt])
def test_byte_order_marks_and_line_breaks(write, encode):
    cues = [Cue(0, 1000, "واحد\ntwo"), Cue(1000, 2000, "three")]
    assert essentials(read_subtitles(encode(write(cues))).cues) == essentials(cues)


# -- anything in, ReadResult or SubtitleError out --------------------------------------------------

SUBTITLE_ALPHABET = st.sampled_from(list("0123456789:.,->< \t\n\r\x00\x0b\x0c&;vbi/WEBVTNOSTYLREGa\ufeffج"))


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(),
        st.text(),
        st.text(SUBTITLE_ALPHABET),
        st.builds(lambda body: "WEBVTT\n" + body, st.text(SUBTITLE_ALPHABET)),
        st.builds(lambda body: "1\n00:00:00,000 --> " + body, st.text(SUBTITLE_ALPHABET)),
        st.builds(lambda body: b"WEBVTT\n" + body, st.binary()),
    )
)
def test_reading_anything_returns_a_result_or_raises_subtitle_error(data):
    try:
        result = read_subtitles(data, filename="fuzz")
    except SubtitleError:
        return
    assert isinstance(result, ReadResult)
    assert all(isinstance(cue, Cue) and isinstance(cue.text, str) for cue in result.cues)
    assert all(isinstance(warning, str) for warning in result.warnings)
