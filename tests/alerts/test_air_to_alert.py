"""From the air to the monitor, with every real part: a generated stream (the repository's real speech
samples with silence and tone between them) served live on loopback, recorded by the recorder,
transcribed by the live path with the real Whisper base model; a watchlist on a word spoken in it
raises exactly one alert, on the feed and by email to an SMTP server on loopback, at the word's air
time, with a link that plays it."""

import datetime as dt
import re
import threading
import time

import numpy as np
import pytest

from alerts.conftest import with_role
from alerts.program import program, sample, silence, tone
from clipdesk.alerts import actions, live
from clipdesk.alerts.models import Alert, LiveChannel, LiveLine
from clipdesk.recording import livestream
from clipdesk.recording.actions import open_gap
from clipdesk.recording.models import Segment
from clipdesk.recording.recorder import Options, Recorder
from recording.streams import add, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
SEGMENT = 2.0
STREAM_RATE = livestream.RATE


def on_air(monkeypatch):
    """The stream's program: 3 s of silence, JFK, a tone, Arabic speech, then silence to the end (the
    stream would loop; the recording stops before it does). Returns the second "Americans" airs at
    from the stream's start (near 1.8 s into the sample, samples/audio/REFERENCES.md) and the length."""
    samples, marks = program(
        silence(3),
        ("jfk", sample("jfk.flac")),
        tone(2),
        silence(1),
        sample("rhasspy-ar/ar_wavenet_01.wav"),
        silence(16),
    )
    # The program is at 16 kHz; the stream's AAC is at 48 kHz.
    upsampled = np.interp(np.arange(samples.shape[0] * 3) / 3, np.arange(samples.shape[0]), samples).astype(
        np.float32
    )
    monkeypatch.setattr(livestream, "speech", lambda: upsampled)
    return marks["jfk"] + 1.8, samples.shape[0] / 16000


def record(stream: livestream.LiveStream, source, until: float, tmp_path) -> None:
    """Runs the recorder on the stream until segments cover `until` seconds of its program."""
    recorder = Recorder(
        Options(segment_seconds=SEGMENT, stall_seconds=4, lease_seconds=5, max_backoff_seconds=1),
        name="test-recorder",
        workdir=tmp_path / "work",
    )
    stop = threading.Event()
    thread = threading.Thread(target=recorder.run, args=(stop,), daemon=True)
    thread.start()
    try:
        end = dt.datetime.fromtimestamp(stream.started + until, dt.UTC)
        wait_for(
            lambda: Segment.objects.filter(source=source, end__gte=end).exists(),
            f"the recording to reach {until} s",
            timeout=until + 40,
        )
    finally:
        stop.set()
        thread.join(timeout=30)


def playlist_of(client, html: str) -> str:
    """The HLS playlist a timeline page plays."""
    found = re.search(r'<video[^>]+src="([^"]+)"', html)
    return client.get(found.group(1).replace("&amp;", "&")).content.decode() if found else ""


def test_a_word_on_the_air_raises_one_alert_on_the_feed_and_by_email(
    monkeypatch, tmp_path, client, smtp, settings
):
    from factories.archive import UserFactory

    settings.CLIPDESK_BASE_URL = "http://clips.test"
    word_at, length = on_air(monkeypatch)
    stream = livestream.LiveStream(SEGMENT, window=6)
    try:
        source = add(stream.url, name="Loopback News")
        monitor = with_role(UserFactory(username="monitor", is_staff=True), "monitor")
        watchlist = actions.create_watchlist(
            user=monitor, name="Speeches", email="desk@example.org", email_minutes=5
        )
        actions.add_watch_term(watchlist, user=monitor, kind="term", value="Americans")
        # The live path runs after the recording here: the recorder's thread is not held up by Whisper
        # on a 2-core machine (the order of the work is the only difference from production).
        LiveChannel.objects.create(source=source, enabled=False)
        record(stream, source, until=length - 10, tmp_path=tmp_path)
    finally:
        stream.close()
    LiveChannel.objects.filter(source=source).update(enabled=True)
    open_gap(source.pk, "closed", "the stream ended")  # the last window is final now
    started = time.monotonic()
    live.work()
    assert LiveLine.objects.filter(source=source).exists()
    said = " ".join(LiveLine.objects.filter(source=source).order_by("start").values_list("text", flat=True))

    # Exactly one alert, at the word's air time.
    [alert] = Alert.objects.filter(watchlist=watchlist)
    expected = dt.datetime.fromtimestamp(stream.started + word_at, dt.UTC)
    assert abs((alert.air_time - expected).total_seconds()) < 1.0, (alert.air_time, expected, said)
    assert "americans" in alert.text.lower()
    # Retried matching (a job redone) adds nothing.
    lines = list(LiveLine.objects.filter(source=source).values_list("pk", flat=True))
    actions.raise_alerts(source.pk, lines)
    assert Alert.objects.filter(watchlist=watchlist).count() == 1
    assert time.monotonic() - started < 600

    # On the monitor's feed.
    client.force_login(monitor)
    [shown] = client.get("/staff/alerts/feed.json").json()["alerts"]
    assert shown["id"] == alert.pk and "americans" in shown["text"].lower()

    # By email, once.
    actions.batch_alert_emails()
    assert actions.deliver_alert_emails() == 1
    assert actions.deliver_alert_emails() == 0
    [message] = smtp.received
    body = message.text
    link = re.search(r"Play from 15 s before: http://clips\.test(\S+)", body)
    assert link, body

    # The link plays it: the timeline at 15 s before the word, whose playlist holds the recording there.
    page = client.get(link.group(1))
    assert page.status_code == 200
    html = page.content.decode()
    seek = dt.datetime.fromisoformat(re.search(r'data-seek="([^"]+)"', html).group(1))
    assert abs((seek - (alert.air_time - dt.timedelta(seconds=15))).total_seconds()) < 1.5
    heard = Segment.objects.filter(source=source, start__lte=alert.air_time, end__gt=alert.air_time).get()
    assert f"/staff/recordings/{heard.pk}.ts" in playlist_of(client, html) + (
        # 15 s before the word may fall in the hour before it: then the next hour's page plays it.
        playlist_of(
            client,
            client.get(link.group(1).split("?")[0], {"t": alert.air_time.isoformat()}).content.decode(),
        )
    )
    media = client.get(f"/staff/recordings/{heard.pk}.ts", HTTP_RANGE="bytes=0-187")
    assert media.status_code == 206
    assert len(b"".join(media.streaming_content)) == 188  # one MPEG-TS packet
    media.close()
