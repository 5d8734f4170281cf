"""A window that cannot be transcribed is retried, then marked "not transcribed" with the reason, and
the channel goes on; the timeline shows the span with a button that transcribes it again."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from alerts.program import program, sample, silence, store
from clipdesk.alerts import live
from clipdesk.alerts.models import LiveChannel, LiveLine, NotTranscribed
from clipdesk.recording.actions import open_gap
from recording.streams import add

pytestmark = pytest.mark.django_db(transaction=True)
AIR = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_failing_window_is_marked_shown_and_transcribed_again(client, roles, settings):
    settings.CLIPDESK_LIVE_ATTEMPTS = 2
    source = add("http://127.0.0.1:9/live.m3u8", name="Live TV")
    LiveChannel.objects.create(source=source, enabled=False)
    samples, _ = program(sample("jfk.flac"), silence(14))
    segments = store(source, samples, AIR)
    broken = segments[1]  # 4 to 8 s: in the first window
    with default_storage.open(broken.file.name, "rb") as handle:
        good = handle.read()
    default_storage.delete(broken.file.name)
    default_storage.save(broken.file.name, ContentFile(b"not a stream " * 50))
    LiveChannel.objects.update(enabled=True)
    open_gap(source.pk, "closed", "the stream ended")

    live.work()
    span = NotTranscribed.objects.get(source=source)
    # The window failed whole: all the air recorded, up to CLIPDESK_LIVE_MAX_WINDOW_SECONDS (24 s here).
    assert span.start == AIR and span.end == AIR + dt.timedelta(seconds=24)
    assert "could not be read" in span.reason and span.attempts == 2
    state = LiveChannel.objects.get(source=source)
    assert state.watermark == segments[-1].end  # the channel went on past the span
    assert not LiveLine.objects.filter(start__lt=span.end).exists()

    client.force_login(roles["monitor"])
    page = client.get(
        "/staff/channels/live-tv/timeline/", {"date": "2026-03-02", "hour": "9"}
    ).content.decode()
    assert "Not transcribed: 09:00:00 to 09:00:24 UTC" in page
    assert f"/staff/channels/live-tv/not-transcribed/{span.pk}/retry/" in page

    # Repaired (the storage answers again): the button transcribes the span.
    default_storage.delete(broken.file.name)
    default_storage.save(broken.file.name, ContentFile(good))
    response = client.post(f"/staff/channels/live-tv/not-transcribed/{span.pk}/retry/")
    assert response.status_code == 302 and "date=2026-03-02&hour=9" in response["Location"]
    span.refresh_from_db()
    assert span.status == NotTranscribed.Status.DONE
    text = " ".join(LiveLine.objects.for_source(source).order_by("start").values_list("text", flat=True))
    assert text.lower().count("americans") == 1, text
    page = client.get(
        "/staff/channels/live-tv/timeline/", {"date": "2026-03-02", "hour": "9"}
    ).content.decode()
    assert "Not transcribed" not in page
    assert "machine text" in page and "data-seek-to=" in page


def test_retrying_needs_its_permission(client, roles):
    """Retrying is for the roles that watch the air (alerts.change_nottranscribed); not a translator's."""
    source = add("http://127.0.0.1:9/live.m3u8", name="Live TV")
    span = NotTranscribed.objects.create(
        source=source, start=AIR, end=AIR + dt.timedelta(seconds=20), reason="x"
    )
    client.force_login(roles["translator"])
    assert client.post(f"/staff/channels/live-tv/not-transcribed/{span.pk}/retry/").status_code == 403
    assert NotTranscribed.objects.get(pk=span.pk).status == NotTranscribed.Status.FAILED
    client.force_login(roles["monitor"])  # allowed, but the span is of another channel
    assert client.post(f"/staff/channels/other/not-transcribed/{span.pk}/retry/").status_code == 404
    assert NotTranscribed.objects.get(pk=span.pk).status == NotTranscribed.Status.FAILED
