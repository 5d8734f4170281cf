"""In Chromium: the timeline of a recorded channel plays the recording (an HLS playlist clipdesk
writes, played natively), and in and out points set from the player make a clip that ends as a
draft with a transcript, through the ingest job."""

import threading

import pytest

from clipdesk.archive.models import Clip
from clipdesk.recording import actions
from clipdesk.recording.livestream import LiveStream
from clipdesk.recording.models import ClipSource, Segment
from clipdesk.recording.recorder import Options, Recorder
from support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def record(live: LiveStream, tmp_path, count: int):
    """Records the live stream until `count` segments are stored."""
    import time

    source = actions.add_source(user=None, channel="Browser TV", url=live.url)
    options = Options(segment_seconds=2.0, stall_seconds=3.0, lease_seconds=3.0, max_backoff_seconds=1.0)
    recorder = Recorder(options, name="browser-test", workdir=tmp_path / "work")
    stop = threading.Event()
    thread = threading.Thread(target=recorder.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while Segment.objects.filter(source=source).count() < count and time.monotonic() < deadline:
        time.sleep(0.3)
    stop.set()
    thread.join(30)
    return source, list(Segment.objects.filter(source=source).order_by("start"))


def test_play_set_in_and_out_and_make_a_clip(page, live_server, roles, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    live = LiveStream(1.0, window=6)
    try:
        _, segments = record(live, tmp_path, 4)
    finally:
        live.close()
    assert len(segments) >= 4
    login(page, live_server, roles["monitor"])
    first = segments[0].start
    page.goto(
        f"{live_server.url}/staff/channels/browser-tv/timeline/?date={first:%Y-%m-%d}&hour={first.hour}"
    )
    video = page.locator("[data-timeline-player]")
    page.wait_for_function(
        "() => document.querySelector('[data-timeline-player]').readyState >= 1", timeout=30000
    )
    # Play a moment, then seek: the player streams the stored segments through the playlist.
    page.evaluate("() => document.querySelector('[data-timeline-player]').play()")
    page.wait_for_function(
        "() => document.querySelector('[data-timeline-player]').currentTime > 0.3", timeout=30000
    )
    assert page.locator("[data-timeline-now]").inner_text() != "—"

    def seek(seconds: float) -> None:
        page.evaluate(
            """(t) => new Promise((resolve) => {
                const v = document.querySelector('[data-timeline-player]');
                v.pause();
                v.addEventListener('seeked', () => resolve(), {once: true});
                v.currentTime = t;
            })""",
            seconds,
        )

    seek(0.5)
    page.get_by_role("button", name="Set in point").click()
    seek(5.0)  # in the third segment: across two segment boundaries
    page.get_by_role("button", name="Set out point").click()
    assert video.count() == 1
    page.get_by_label("Title").fill("Cut in the browser")
    page.get_by_role("button", name="Make a clip").click()
    page.wait_for_url("**/staff/ingest/*/", timeout=120000)

    span = ClipSource.objects.get()
    assert abs((span.end - span.start).total_seconds() - 4.5) < 0.3
    assert span.segments[0]["sha256"] == segments[0].sha256
    job = span.job
    job.refresh_from_db()
    assert job.status == "done", job.error
    clip = Clip.objects.get(pk=job.clip_id)
    assert clip.status == Clip.Status.DRAFT and clip.title == "Cut in the browser"
    assert clip.segments.exists(), "the draft has a transcript"
    assert not page.console_errors, page.console_errors


def test_a_line_of_the_live_transcript_plays_its_moment(page, live_server, roles, settings, tmp_path):
    import datetime as dt

    from clipdesk.alerts.models import LiveLine

    settings.MEDIA_ROOT = tmp_path / "media"
    live = LiveStream(1.0, window=6)
    try:
        source, segments = record(live, tmp_path, 4)
    finally:
        live.close()
    said = segments[2].start + dt.timedelta(milliseconds=500)
    LiveLine.objects.create(
        source=source, start=said, end=said + dt.timedelta(seconds=1), text="كام الساعة", language="ar"
    )
    login(page, live_server, roles["monitor"])
    page.goto(f"{live_server.url}/staff/channels/browser-tv/timeline/?date={said:%Y-%m-%d}&hour={said.hour}")
    page.wait_for_function(
        "() => document.querySelector('[data-timeline-player]').readyState >= 1", timeout=30000
    )
    assert "machine text" in page.locator(".live-transcript").inner_text()
    page.locator("[data-seek-to]").first.click()
    # The player's position: the segments before the line's, then half a second into its own.
    expected = sum(s.duration_ms for s in segments[:2]) / 1000 + 0.5
    page.wait_for_function(
        "(t) => Math.abs(document.querySelector('[data-timeline-player]').currentTime - t) < 0.6",
        arg=expected,
        timeout=30000,
    )
    assert not page.console_errors, page.console_errors
