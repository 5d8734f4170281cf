"""`clipdesk demo-stream`, as `make demo` runs it: a live HLS stream of the samples on loopback, and the
channel 'Demo TV' recorded from it."""

import socket
import urllib.request

import m3u8
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def playlist(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return m3u8.loads(response.read().decode(), uri=url)
    except OSError:
        return None


@pytest.mark.django_db
def test_the_demo_stream_serves_the_samples_live_and_names_its_channel(make_site):
    site = make_site()
    port = free_port()
    site.start("demo-stream", "demo-stream", "--port", str(port), "--segment-seconds", "1")
    url = f"http://127.0.0.1:{port}/live/index.m3u8"
    site.wait_for(
        lambda: (found := playlist(url)) is not None and len(found.segments) >= 2,
        "a live playlist",
        timeout=90,
    )
    live = playlist(url)
    assert live.segments[-1].program_date_time is not None and not live.is_endlist
    with urllib.request.urlopen(live.segments[-1].absolute_uri, timeout=10) as response:
        assert response.read(1) == b"G"  # MPEG-TS
    assert site.rows(
        "SELECT s.url FROM recording_channelsource s JOIN archive_channel c ON c.id = s.channel_id WHERE c.name = 'Demo TV'"
    ) == [(url,)]
