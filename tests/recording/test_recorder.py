"""The recorder against real streams on loopback: segments stored whole with their wall-clock times,
and every fault (a skipped playlist entry, a stall, a server gone, a timestamp jump) recorded as a gap
with its reason, after which the recording resumes."""

import dataclasses
import hashlib
import itertools
import socket

import av
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from clipdesk.recording.models import Gap, Segment
from recording.streams import FAST, add, segments_after, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def contiguous(segments, tolerance=0.3) -> bool:
    return all(abs((b.start - a.end).total_seconds()) < tolerance for a, b in itertools.pairwise(segments))


def test_hls_is_recorded_into_whole_segments_with_program_date_times(live, recorder):
    source = add(live.url)
    recorder()
    segments = segments_after(source, 3)
    assert contiguous(segments), [(s.start, s.end, s.duration_ms) for s in segments]
    for segment in segments:
        assert 1.9 <= segment.duration_ms / 1000 <= 2.2
        with default_storage.open(segment.file.name) as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == segment.sha256 and len(data) == segment.size
        with av.open(default_storage.path(segment.file.name)) as container:
            assert {s.type for s in container.streams} == {"video", "audio"}
            first = next(p for p in container.demux(video=0) if p.pts is not None)
            assert first.is_keyframe
        # Segment k of the stream aired at started + k seconds: its program date-time.
        index = round(float(first.pts * first.time_base))
        assert abs((segment.start - live.aired(index)).total_seconds()) < 0.2
    source.refresh_from_db()
    assert source.status == "recording"
    assert not Gap.objects.exists()


def closed_gap(source, reason: str):
    return wait_for(
        lambda: Gap.objects.filter(source=source, reason=reason, end__isnull=False).first(),
        f"a closed {reason} gap",
    )


def test_a_playlist_that_skips_segments_is_a_gap_of_exactly_what_was_lost(live, recorder):
    source = add(live.url)
    recorder(dataclasses.replace(FAST, stall_seconds=6))  # the skip is not taken for a stall
    segments_after(source, 2)
    dropped = live.skip(2)
    gap = closed_gap(source, "skipped")
    assert f"media sequence {dropped[0]} to {dropped[1]}" in gap.detail
    # The gap runs from the end of the last segment aired before the dropped ones to the next one.
    assert abs((gap.start - live.aired(dropped[0])).total_seconds()) < 0.2
    assert abs((gap.end - live.aired(dropped[-1] + 1)).total_seconds()) < 0.2
    after = segments_after(source, 2, after=gap.end)
    assert after[0].start == gap.end
    assert Gap.objects.filter(source=source).count() == 1


@pytest.mark.parametrize("fault", ["stall", "server stopped"])
def test_a_stalled_or_stopped_server_is_a_gap_and_the_recording_resumes(live, recorder, fault):
    source = add(live.url)
    recorder()
    segments_after(source, 2)
    if fault == "stall":
        live.stalled.set()
    else:
        live.stop()
    reason = "stall" if fault == "stall" else "unreachable"
    wait_for(
        lambda: Gap.objects.filter(source=source, reason=reason, end__isnull=True).exists(), "an open gap"
    )
    source.refresh_from_db()
    assert source.status == reason and source.status_detail
    if fault == "stall":
        live.stalled.clear()
    else:
        live.start()
    gap = closed_gap(source, reason)
    after = segments_after(source, 2, after=gap.end)
    # What the playlist still held when the server came back was fetched: only the rest is a gap.
    assert after[0].start == gap.end
    source.refresh_from_db()
    assert source.status == "recording"


def test_timestamps_that_jump_start_a_new_segment_with_true_wall_clock_times(live, recorder):
    source = add(live.url)
    recorder()
    segments_after(source, 2)
    jumped = live.jump(3600)
    gap = closed_gap(source, "clock")
    assert "jumped by +36" in gap.detail
    after = segments_after(source, 2, after=gap.end)
    # The program date-times are right: the segments keep them, not the jumped timestamps.
    assert abs((after[0].start - live.aired(jumped)).total_seconds()) < 1.2
    for segment in Segment.objects.filter(source=source):
        assert segment.duration_ms <= 2200


def test_mpeg_ts_over_http_and_its_stall(live, recorder):
    source = add(live.ts_url, kind="http-ts")
    recorder()
    segments_after(source, 2)
    live.stalled.set()
    wait_for(lambda: Gap.objects.filter(source=source, reason="stall", end__isnull=True).exists(), "a stall")
    live.stalled.clear()
    gap = closed_gap(source, "stall")
    segments_after(source, 1, after=gap.end)


def test_mpeg_ts_over_udp(live, recorder):
    import threading

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = add(f"udp://127.0.0.1:{port}")
    stop = threading.Event()
    sender = threading.Thread(target=live.send_udp, args=(port, stop), daemon=True)
    sender.start()
    try:
        recorder()
        segments = segments_after(source, 2)
    finally:
        stop.set()
        sender.join(5)
    assert all(s.size > 0 and s.duration_ms > 1000 for s in segments)
    # Received with no program date-time: the wall-clock times are the receive times.
    assert abs((segments[0].start - timezone.now()).total_seconds()) < 30


@pytest.mark.parametrize(
    ("kind", "path", "reason"),
    [
        ("hls", "/", "not-a-stream"),
        ("http-ts", "/", "not-a-stream"),
        ("hls", "/live/missing.m3u8", "unreachable"),
    ],
)
def test_a_source_that_is_not_a_stream_is_a_clear_status(live, recorder, kind, path, reason):
    good = add(live.url, name="Good TV")
    bad = add(live.url.replace("/live/index.m3u8", path), name="Bad TV", kind=kind)
    recorder()
    wait_for(
        lambda: Gap.objects.filter(source=bad, reason=reason, end__isnull=True).exists(),
        "the bad source's gap",
    )
    segments_after(good, 2)  # the other channel records on
    bad.refresh_from_db()
    assert bad.status == reason and bad.status_detail
    assert not Segment.objects.filter(source=bad).exists()


def test_a_stream_without_audio_is_refused_with_the_reason(recorder):
    from clipdesk.recording.livestream import LiveStream

    silent = LiveStream(1.0, window=4, audio=False)
    try:
        source = add(silent.url)
        recorder()
        gap = wait_for(lambda: Gap.objects.filter(source=source, reason="no-audio").first(), "a no-audio gap")
        assert "has no audio" in gap.detail
        assert not Segment.objects.exists()
    finally:
        silent.close()


def test_a_watched_folder_records_the_files_a_receiver_drops(recorder, tmp_path):
    import os
    import time

    from clipdesk.recording.livestream import encode_segment

    folder = tmp_path / "receiver"
    folder.mkdir()
    for index in range(3):
        path = folder / f"capture-{index}.ts"
        path.write_bytes(encode_segment(index, 2.0))
        os.utime(path, (time.time() - 10, time.time() - 10))  # written whole a while ago
    source = add(str(folder), kind="folder")
    recorder()
    segments = segments_after(source, 3)
    assert contiguous(segments) and sum(s.duration_ms for s in segments) >= 5800
    wait_for(lambda: len(list((folder / "recorded").glob("*.ts"))) == 3, "the files moved aside")
    assert not list(folder.glob("*.ts"))
