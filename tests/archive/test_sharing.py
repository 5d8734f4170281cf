"""Sharing: social cards, share links without third-party scripts, citations, the embeddable player."""

import urllib.parse

import pytest
from bs4 import BeautifulSoup

from clipdesk.archive import actions
from factories.media import attach_test_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_clip(timed_clip, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLIPDESK_BASE_URL = "https://clips.example.org"
    attach_test_video(timed_clip, tmp_path)
    return actions.publish_clip(timed_clip, user=None, number=777)


def meta(page, key) -> str | None:
    tag = page.find("meta", attrs={"property": key}) or page.find("meta", attrs={"name": key})
    return tag["content"] if tag else None


def test_social_cards(client, shared_clip):
    page = BeautifulSoup(client.get(shared_clip.get_absolute_url()).content, "html.parser")
    url = "https://clips.example.org" + shared_clip.get_absolute_url()
    assert meta(page, "og:url") == url
    assert meta(page, "og:title") == "#777 | Bilingual interview"
    assert meta(page, "og:type") == "video.other"
    assert meta(page, "og:video") == "https://clips.example.org" + shared_clip.media.get().get_absolute_url()
    assert meta(page, "twitter:card") == "player"
    assert meta(page, "twitter:player") == "https://clips.example.org/embed/777/"
    oembed = page.find("link", attrs={"type": "application/json+oembed"})["href"]
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(oembed).query)["url"] == [url]


def test_share_links_are_plain_links(client, shared_clip):
    page = BeautifulSoup(client.get(shared_clip.get_absolute_url()).content, "html.parser")
    links = {a.get_text(): a["href"] for a in page.select(".share-links a")}
    assert set(links) == {"Email", "X", "Facebook", "WhatsApp", "Telegram"}
    encoded = urllib.parse.quote("https://clips.example.org" + shared_clip.get_absolute_url(), safe="")
    assert all(encoded in href for href in links.values())
    assert all(s["src"].startswith("/static/") for s in page.find_all("script"))
    buttons = page.select("button.copy-link")
    assert [b.has_attr("data-with-time") for b in buttons] == [False, True]


def test_citations_on_the_clip_page(client, shared_clip):
    page = BeautifulSoup(client.get(shared_clip.get_absolute_url()).content, "html.parser")
    assert page.select_one("#cite-apa").get_text().startswith("clipdesk. (2021, May 28). Bilingual interview")
    assert "clipdesk clip #777" in page.select_one("#cite-chicago").get_text()
    assert page.select_one("#cite-bibtex").get_text().startswith("@misc{clipdesk777,")


def test_embed_page_may_be_framed_and_no_other_page_may(client, shared_clip):
    embed = client.get("/embed/777/?t=2&end=5")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "script-src 'self'" in embed["Content-Security-Policy"]
    video = BeautifulSoup(embed.content, "html.parser").select_one("video")
    assert (video["data-start-at"], video["data-end-at"]) == ("2", "5")
    assert [t["srclang"] for t in video.select("track")] == ["en", "ar"]
    page = client.get(shared_clip.get_absolute_url())
    assert page["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert client.get("/embed/778/").status_code == 404
