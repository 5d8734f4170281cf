"""Media assets: attached by content with their SHA-256, served with HTTP Range so players can seek."""

import hashlib

import pytest

from clipdesk.archive import actions
from clipdesk.media.actions import attach_media
from clipdesk.media.models import MediaAsset
from clipdesk.media.probe import ProbeError
from factories.archive import ClipFactory
from factories.media import attach_test_video, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Every test here stores media in its own directory (tests/conftest.py)."""


def test_attach_records_checksum_type_and_duration(tmp_path):
    clip = ClipFactory(duration_ms=None)
    path = make_video(tmp_path / "in.mp4", seconds=3)
    asset = attach_media(clip, path, user=None, source="Al-Manar satellite feed")
    assert asset.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (asset.mime_type, asset.duration_ms, asset.source) == (
        "video/mp4",
        3000,
        "Al-Manar satellite feed",
    )
    with asset.file.open("rb") as stored:
        assert stored.read() == path.read_bytes()
    clip.refresh_from_db()
    assert clip.duration_ms == 3000


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"hello, I am text\n" * 50, "not a media file"), (b"", "not a media file")],
)
def test_attach_refuses_what_is_not_media(tmp_path, content, message):
    path = tmp_path / "video.mp4"
    path.write_bytes(content)
    with pytest.raises(ProbeError, match=message):
        attach_media(ClipFactory(), path, user=None)
    assert MediaAsset.objects.count() == 0
    assert not list((tmp_path / "media").rglob("*.mp4")) if (tmp_path / "media").exists() else True


def test_truncated_file_is_refused(tmp_path):
    whole = make_video(tmp_path / "whole.mp4", seconds=3).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(ProbeError):
        attach_media(ClipFactory(), cut, user=None)
    assert MediaAsset.objects.count() == 0


def test_range_requests_get_206_with_the_right_bytes(client, tmp_path):
    clip = actions.publish_clip(ClipFactory(), user=None)
    asset = attach_test_video(clip, tmp_path)
    with asset.file.open("rb") as stored:
        data = stored.read()
    url = asset.get_absolute_url()

    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == data

    part = client.get(url, HTTP_RANGE="bytes=100-1099")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert part["Content-Length"] == "1000"
    assert b"".join(part.streaming_content) == data[100:1100]

    tail = client.get(url, HTTP_RANGE="bytes=-500")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == data[-500:]
    open_ended = client.get(url, HTTP_RANGE=f"bytes={len(data) - 10}-")
    assert b"".join(open_ended.streaming_content) == data[-10:]

    head = client.head(url, HTTP_RANGE="bytes=0-0")
    head.close()
    assert head.status_code == 206

    beyond = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(data)}"


def test_ranges_with_huge_or_odd_numbers_are_answered_not_crashed(tmp_path):
    """int() refuses more than 4,300 digits; such a range lies beyond any file (416) or asks for all of it."""
    from django.test import Client

    client = Client(raise_request_exception=False)
    asset = attach_test_video(actions.publish_clip(ClipFactory(), user=None), tmp_path)
    url, size, huge = asset.get_absolute_url(), asset.file.size, "9" * 5000

    def fetch(header):
        response = client.get(url, HTTP_RANGE=header)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, response.get("Content-Range"), len(body)

    assert fetch(f"bytes={huge}-") == (416, f"bytes */{size}", 0)
    assert fetch(f"bytes={huge}-{huge}") == (416, f"bytes */{size}", 0)
    assert fetch(f"bytes=0-{huge}") == (206, f"bytes 0-{size - 1}/{size}", size)
    assert fetch(f"bytes=-{huge}") == (206, f"bytes 0-{size - 1}/{size}", size)
    assert fetch(f"bytes={'0' * 5000}10-19") == (206, f"bytes 10-19/{size}", 10)
    assert fetch("bytes=20-10") == (416, f"bytes */{size}", 0)
    # Not ASCII digits ("٣" is Arabic-Indic three, which \d matched): not a range we read; the whole file.
    assert fetch("bytes=٣-") == (200, None, size)
    assert fetch("bytes=²-") == (200, None, size)


def test_media_of_drafts_is_for_staff_only(client, tmp_path, roles):
    asset = attach_test_video(ClipFactory(), tmp_path)
    assert client.get(asset.get_absolute_url()).status_code == 404
    client.force_login(roles["reader"])
    assert client.get(asset.get_absolute_url()).status_code == 404
    client.force_login(roles["translator"])
    response = client.get(asset.get_absolute_url(), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and len(b"".join(response.streaming_content)) == 10


def test_clip_page_player_has_both_caption_tracks(client, timed_clip, tmp_path):
    attach_test_video(timed_clip, tmp_path)
    clip = actions.publish_clip(timed_clip, user=None, number=55)
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get(clip.get_absolute_url() + "?t=1:12").content, "html.parser")
    video = page.select_one("video#player")
    assert video["data-start-at"] == "72"
    assert video.select_one("source")["src"] == clip.media.get().get_absolute_url()
    tracks = [(t["srclang"], t["src"], t.has_attr("default")) for t in video.select("track")]
    assert tracks == [("en", "/clips/55/captions/en.vtt", True), ("ar", "/clips/55/captions/ar.vtt", False)]
    lines = page.select(".line[data-start]")
    assert [line["data-start"] for line in lines] == ["0.000", "1.500", "4.000", "6.000"]
    assert page.select_one(".line .original")["dir"] == "rtl"
    assert page.select_one("button.seek")["aria-label"] == "Play from 0:00"
    assert client.get(clip.get_absolute_url() + "?t=72").status_code == 200
    assert (
        BeautifulSoup(client.get(clip.get_absolute_url() + "?t=x").content, "html.parser")
        .select_one("video")
        .get("data-start-at")
        is None
    )


def test_clip_without_timings_has_no_player(client, sample_page_text, tmp_path):
    from clipdesk.transcripts.importing import import_page

    clip = import_page(sample_page_text, source="p").clip
    attach_test_video(clip, tmp_path)
    html = client.get(clip.get_absolute_url()).content.decode()
    assert "<video" not in html and 'class="seek"' not in html and "transcript-player.js" not in html
