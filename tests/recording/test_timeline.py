"""The timeline: an HLS playlist of any span, its segments served with Range, and clips cut from the
recording through ingest, with the span's provenance; spans not recorded are refused with the reason."""

import datetime as dt

import m3u8
import pytest

from clipdesk.recording import actions
from clipdesk.recording.models import ClipSource, Gap
from recording.streams import add, recorded, segments_after

NOON = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def rows(db):
    """A channel recorded 10:00:00 to 10:00:30 UTC and 10:01:00 to 10:01:30, rows alone."""
    source = add("http://127.0.0.1:9/live.m3u8", name="Rows TV", time_zone="Asia/Beirut")
    for second in (*range(0, 30, 6), *range(60, 90, 6)):
        recorded(source, NOON + dt.timedelta(seconds=second), 6)
    Gap.objects.create(
        source=source,
        start=NOON + dt.timedelta(seconds=30),
        end=NOON + dt.timedelta(seconds=60),
        reason="stall",
    )
    return source


@pytest.mark.django_db
def test_the_playlist_lists_the_span_with_a_discontinuity_at_the_gap(client, roles, rows):
    client.force_login(roles["monitor"])
    response = client.get(
        "/staff/channels/rows-tv/recording.m3u8",
        {"start": "2026-01-05T10:00:10Z", "end": "2026-01-05T10:01:10Z"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/vnd.apple.mpegurl"
    playlist = m3u8.loads(response.text)
    assert len(playlist.segments) == 6 and playlist.is_endlist
    assert [s.discontinuity for s in playlist.segments] == [False, False, False, False, True, False]
    assert playlist.segments[0].program_date_time == NOON + dt.timedelta(seconds=6)
    assert client.get("/staff/channels/rows-tv/recording.m3u8?start=x&end=y").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (
            25,
            65,
            "crosses a gap in the recording from 2026-01-05 12:00:30 (Asia/Beirut) to 2026-01-05 12:01:00",
        ),
        (85, 100, "was not recorded for all of"),
        (20, 10, "must come after the in point"),
    ],
)
def test_spans_not_recorded_are_refused_with_the_reason(client, roles, rows, start, end, reason):
    client.force_login(roles["monitor"])
    response = client.post(
        "/staff/channels/rows-tv/cut/",
        {
            "start": (NOON + dt.timedelta(seconds=start)).isoformat(),
            "end": (NOON + dt.timedelta(seconds=end)).isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200 and reason in response.text
    assert not ClipSource.objects.exists()


@pytest.mark.django_db
def test_cutting_needs_the_ingest_permissions(client, roles, rows):
    client.force_login(roles["translator"])
    response = client.post(
        "/staff/channels/rows-tv/cut/", {"start": "2026-01-05T10:00:01Z", "end": "2026-01-05T10:00:05Z"}
    )
    assert response.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_clip_cut_across_segments_becomes_a_draft_with_its_provenance(client, roles, live, recorder):
    source = add(live.url, name="Live TV")
    running = recorder()
    segments = segments_after(source, 3)
    running.close()
    client.force_login(roles["monitor"])
    page = client.get(
        "/staff/channels/live-tv/timeline/",
        {"date": f"{segments[0].start:%Y-%m-%d}", "hour": segments[0].start.hour},
    )
    assert page.status_code == 200 and "timeline-segments" in page.text and "Make a clip" in page.text
    media = client.get(f"/staff/recordings/{segments[0].pk}.ts", headers={"range": "bytes=0-187"})
    assert media.status_code == 206 and media["Content-Type"] == "video/mp2t" and len(b"".join(media)) == 188
    # In the first segment, out in the third: across two segment boundaries.
    start = segments[0].start + dt.timedelta(seconds=1)
    end = segments[2].start + dt.timedelta(seconds=0.5)
    job = actions.cut_clip(source, user=roles["monitor"], start=start, end=end, title="Cut from the timeline")
    job.refresh_from_db()
    span = ClipSource.objects.get(job=job)
    assert [s["sha256"] for s in span.segments] == [s.sha256 for s in segments[:3]]
    assert span.offset_ms == 1000 and (span.start, span.end) == (start, end)
    assert job.status == "done", job.error
    clip = job.clip
    assert clip.status == "draft" and clip.channel == source.channel and clip.title == "Cut from the timeline"
    assert abs(clip.duration_ms - 3500) < 300
    # Provenance a reader can check: on the page and in the JSON document (the API's and the download's).
    from clipdesk.transcripts.export import clip_document

    document = clip_document(clip)["recording"]
    assert (
        document["channel"] == "Live TV" and document["time_zone"] == "UTC" and document["offset_ms"] == 1000
    )
    assert [s["sha256"] for s in document["segments"]] == [s.sha256 for s in segments[:3]]
    assert document["start"] == start.isoformat()
    page = client.get(f"/clips/id:{clip.pk}/")
    assert (
        page.status_code == 200 and segments[1].sha256 in page.text and "Recorded from Live TV" in page.text
    )
