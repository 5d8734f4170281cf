"""oEmbed for clip pages: JSON of type video with the embeddable player, 404 and 501 as the specification says."""

from fractions import Fraction
from urllib.parse import quote

import av
import numpy as np
import pytest
from django.utils.html import escape

from clipdesk.archive.actions import publish_clip, withdraw_clip
from clipdesk.media.actions import attach_media
from factories.archive import ChannelFactory, ClipFactory
from factories.media import make_video

pytestmark = pytest.mark.django_db

BASE = "https://clips.example"


@pytest.fixture
def clip(site):
    channel = ChannelFactory(name="Al-Manar TV", slug="al-manar-tv", country="Lebanon")
    return publish_clip(
        ClipFactory(title='Al-Amine: "We coordinated" <daily>', channel=channel), user=None, number=8891
    )


def oembed(client, url: str, status: int = 200, **params):
    query = "&".join([f"url={quote(url, safe='')}", *(f"{k}={v}" for k, v in params.items())])
    response = client.get(f"/oembed?{query}")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def write_poster(path, width: int, height: int):
    """A PNG of the given size, encoded with PyAV."""
    with av.open(str(path), "w", format="image2") as out:
        stream = out.add_stream("png", rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, "rgb24"
        frame = av.VideoFrame.from_ndarray(np.zeros((height, width, 3), dtype=np.uint8), format="rgb24")
        frame.pts, frame.time_base = 0, Fraction(1, 1)
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    return path


def test_a_clip_page_becomes_a_video_with_the_player(client, clip):
    body = oembed(client, f"{BASE}/clips/8891/{clip.slug}/", format="json")
    player = f"{BASE}/embed/8891/"
    assert body == {
        "version": "1.0",
        "type": "video",
        "title": clip.title,
        "provider_name": "Clip Archive",
        "provider_url": f"{BASE}/",
        "author_name": "Al-Manar TV (Lebanon)",
        "author_url": f"{BASE}/channels/al-manar-tv/",
        "width": 640,
        "height": 360,
        "html": (
            f'<iframe src="{player}" width="640" height="360" title="{escape("#8891 " + clip.title)}" '
            'allow="fullscreen; picture-in-picture" allowfullscreen loading="lazy"></iframe>'
        ),
    }
    assert "<daily>" not in body["html"] and "&lt;daily&gt;" in body["html"]


@pytest.mark.parametrize(
    "path", ["/clips/8891/", "/clips/8891/old-slug/", "/embed/8891/", "/clips/8891/any/?t=1:12#line-3"]
)
def test_every_address_of_the_clip_works(client, clip, path):
    assert oembed(client, BASE + path)["title"] == clip.title


def test_the_moment_in_the_address_carries_to_the_player(client, clip):
    html = oembed(client, f"{BASE}/clips/8891/{clip.slug}/?t=1:12&end=95&x=<script>")["html"]
    assert f'src="{BASE}/embed/8891/?t=1%3A12&amp;end=95"' in html
    html = oembed(client, f"{BASE}/clips/8891/?t=javascript:alert(1)")["html"]
    assert f'src="{BASE}/embed/8891/"' in html


def test_the_address_the_request_came_to_is_accepted_too(client, clip):
    assert oembed(client, f"http://testserver/clips/8891/{clip.slug}/")["type"] == "video"


@pytest.mark.parametrize(
    ("maxwidth", "maxheight", "size"),
    [
        (None, None, (640, 360)),
        (480, None, (480, 270)),
        (None, 180, (320, 180)),
        (320, 100, (178, 100)),
        (999, 999, (640, 360)),
    ],
)
def test_the_player_fits_maxwidth_and_maxheight(client, clip, maxwidth, maxheight, size):
    params = {k: v for k, v in {"maxwidth": maxwidth, "maxheight": maxheight}.items() if v}
    body = oembed(client, f"{BASE}/clips/8891/", **params)
    assert (body["width"], body["height"]) == size
    assert f'width="{size[0]}" height="{size[1]}"' in body["html"]


@pytest.mark.parametrize("value", ["0", "-5", "wide", "1e3", "²", "٣٢٠", "9" * 5000])
def test_a_bad_maximum_is_400(client, clip, value):
    assert "maxwidth" in oembed(client, f"{BASE}/clips/8891/", status=400, maxwidth=value)["detail"]


def test_the_poster_is_the_thumbnail_when_it_fits(client, clip, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    poster = write_poster(tmp_path / "poster.png", 320, 180)
    media = attach_media(clip, make_video(tmp_path / "clip.mp4", seconds=1), user=None, poster=poster)
    body = oembed(client, f"{BASE}/clips/8891/")
    assert body["thumbnail_url"] == f"{BASE}/media/assets/{media.pk}/poster?v={media.version('poster')}"
    assert (body["thumbnail_width"], body["thumbnail_height"]) == (320, 180)
    image = client.get(body["thumbnail_url"].removeprefix(BASE))
    assert image.status_code == 200 and b"".join(image.streaming_content).startswith(b"\x89PNG")
    assert "thumbnail_url" in oembed(client, f"{BASE}/clips/8891/", maxwidth=320)
    # The specification: a thumbnail must respect maxwidth and maxheight; we do not resize images.
    smaller = oembed(client, f"{BASE}/clips/8891/", maxwidth=300)
    assert not {"thumbnail_url", "thumbnail_width", "thumbnail_height"} & set(smaller)


def test_no_poster_no_thumbnail(client, clip, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    attach_media(clip, make_video(tmp_path / "clip.mp4", seconds=1), user=None)
    assert "thumbnail_url" not in oembed(client, f"{BASE}/clips/8891/")


def test_xml_is_not_implemented(client, clip):
    assert (
        oembed(client, f"{BASE}/clips/8891/", status=501, format="xml")["detail"]
        == "Only format=json is available."
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/clips/8891/",
        "ftp://clips.example/clips/8891/",
        f"{BASE}/clips/",
        f"{BASE}/channels/al-manar-tv/",
        f"{BASE}/clips/12345/",
        f"{BASE}/clips/99999999999999999999999/",
        f"{BASE}/api/clips/8891",
        "not a url at all",
    ],
)
def test_anything_but_a_published_clip_is_404(client, clip, url):
    oembed(client, url, status=404)


def test_drafts_and_withdrawn_clips_are_404(client, clip):
    draft = ClipFactory()
    oembed(client, f"{BASE}/clips/id:{draft.pk}/", status=404)
    withdraw_clip(clip, user=None, reason="Mistranslated.")
    oembed(client, f"{BASE}/clips/8891/", status=404)


def test_a_missing_url_is_400(client):
    response = client.get("/oembed?format=json")
    assert response.status_code == 400
    assert "url" in response.json()["detail"]
