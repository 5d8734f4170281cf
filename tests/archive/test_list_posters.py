"""Lists show the picture: each clip in the home page, the clip list and the channel, person and topic
pages has its poster frame beside its title, and the card headings follow the page's heading order."""

import struct
import zlib

import pytest
from bs4 import BeautifulSoup

from clipdesk.archive import actions
from clipdesk.media.actions import attach_media
from factories.archive import PersonFactory, TopicFactory
from factories.media import make_video

pytestmark = pytest.mark.django_db


def png(path, width=16, height=9):
    """A small, valid PNG: a poster as the pipeline would save one."""
    rows = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


@pytest.fixture
def clip_with_poster(timed_clip, tmp_path, media_root):
    person, topic = PersonFactory(name="Ali Hassan"), TopicFactory(name="Heat")
    timed_clip.people.add(person)
    timed_clip.topics.add(topic)
    asset = attach_media(
        timed_clip,
        make_video(tmp_path / "v.mp4", 1),
        user=None,
        source="test",
        poster=png(tmp_path / "p.png"),
    )
    clip = actions.publish_clip(timed_clip, user=None, number=77)
    return clip, asset, person, topic


def test_every_clip_list_shows_the_poster(client, clip_with_poster):
    clip, asset, person, topic = clip_with_poster
    pages = [
        "/",
        "/clips/",
        clip.channel.get_absolute_url(),
        person.get_absolute_url(),
        topic.get_absolute_url(),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        card = BeautifulSoup(response.content, "html.parser").select_one(".clip-card")
        image = card.select_one("img.poster")
        assert image is not None, f"no poster on {url}"
        assert image["src"] == asset.poster_url and image["alt"] == ""  # the title beside it names the clip
        poster = client.get(image["src"])
        # Read to the end through the test client (closing it by hand would send request_finished, which
        # closes the test's connection on PostgreSQL).
        assert b"".join(poster.streaming_content).startswith(b"\x89PNG")
        assert poster.status_code == 200 and poster["Content-Type"] == "image/png"


def test_card_headings_follow_the_page_heading(client, clip_with_poster):
    _, _, person, _ = clip_with_poster
    for url, level in (("/", "h2"), ("/clips/", "h2"), (person.get_absolute_url(), "h3")):
        card = BeautifulSoup(client.get(url).content, "html.parser").select_one(".clip-card")
        assert card.find(["h2", "h3", "h4"]).name == level, url
