"""Which air a window takes and which of its lines are final: no model runs here (the lines are
given as the pipeline gives them)."""

import datetime as dt

import pytest

from clipdesk.alerts.models import LiveChannel
from clipdesk.alerts.windows import plan, settle
from clipdesk.pipeline.transcribe import Segment as Recognised
from clipdesk.pipeline.transcribe import Word
from clipdesk.recording.models import Gap
from recording.streams import add, recorded

pytestmark = pytest.mark.django_db
AIR = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def line(start: float, end: float, *words: str, language: str = "en") -> Recognised:
    step = (end - start) / len(words)
    return Recognised(
        start_ms=round(start * 1000),
        end_ms=round(end * 1000),
        text=" ".join(words),
        words=[
            Word(round((start + i * step) * 1000), round((start + (i + 1) * step) * 1000), w, 0.9)
            for i, w in enumerate(words)
        ],
        language=language,
        translation=" ".join(words) if language == "en" else "draft",
    )


@pytest.fixture
def channel():
    source = add("http://127.0.0.1:9/live.m3u8")
    for second in range(0, 40, 4):
        recorded(source, AIR + dt.timedelta(seconds=second), 4)
    return LiveChannel.objects.create(source=source)


def test_a_window_waits_for_enough_air_then_holds_back_its_unfinished_last_line(channel, settings):
    settings.CLIPDESK_LIVE_WINDOW_SECONDS = 50
    assert plan(channel) is None  # 40 s recorded, 50 wanted: not due
    settings.CLIPDESK_LIVE_WINDOW_SECONDS = 12
    settings.CLIPDESK_LIVE_MAX_WINDOW_SECONDS = 24
    window = plan(channel)
    assert (window.read_from, window.keep_from, window.end) == (AIR, AIR, AIR + dt.timedelta(seconds=24))
    assert not window.final and len(window.segments) == 6
    rows, mark = settle(window, [line(1, 5, "good", "evening."), line(20, 24, "and", "now")], english=True)
    # The last line ends at the window's end: it may go on, so it waits for the next window.
    assert [r.text for r in rows] == ["good evening."]
    assert mark == AIR + dt.timedelta(seconds=20)
    assert rows[0].start == AIR + dt.timedelta(seconds=1) and rows[0].english == ""
    channel.watermark = mark
    following = plan(channel)
    assert following.keep_from == mark and following.read_from == mark - dt.timedelta(seconds=1)
    # Heard again in the overlap: the end of the stored line is dropped, the held one comes whole.
    again = [line(0.2, 0.8, "evening."), line(1.0, 6.0, "and", "now", "the", "news.")]
    rows, _ = settle(following, again, english=True)
    assert [r.text for r in rows] == ["and now the news."]
    assert rows[0].start == mark


def test_words_heard_again_in_the_overlap_are_cut_from_a_line(channel, settings):
    settings.CLIPDESK_LIVE_WINDOW_SECONDS = 12
    channel.watermark = AIR + dt.timedelta(seconds=10)
    window = plan(channel)
    arabic = line(0.1, 3.0, "لا", "لا", "شيء", language="ar")  # from 9.1 s: its first word was stored
    rows, _ = settle(window, [arabic], english=True)
    assert [r.text for r in rows] == ["لا شيء"] and rows[0].english == "draft"
    assert rows[0].words[0][0] == 0  # word times count from the line's own start


def test_the_last_air_before_a_gap_is_final_and_a_gap_is_skipped(channel, settings):
    settings.CLIPDESK_LIVE_WINDOW_SECONDS = 30
    channel.watermark = AIR + dt.timedelta(seconds=30)
    assert plan(channel) is None
    Gap.objects.create(source=channel.source, start=AIR + dt.timedelta(seconds=40), reason="closed")
    window = plan(channel)  # the channel is down: its last 10 s will not grow
    assert window.final and window.end == AIR + dt.timedelta(seconds=40)
    rows, mark = settle(window, [line(8, 10, "goodbye")], english=True)
    assert [r.text for r in rows] == ["goodbye"] and mark == window.end
    # Recording resumed later: the watermark jumps over the air that was not recorded.
    recorded(channel.source, AIR + dt.timedelta(seconds=100), 40)
    channel.watermark = mark
    window = plan(channel)
    assert window.keep_from == window.read_from == AIR + dt.timedelta(seconds=100)
