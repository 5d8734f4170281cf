"""RSS and Atom feeds, parsed with feedparser: all clips, and per topic, channel, and person or organisation."""

import datetime as dt
import html

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from clipdesk.archive import actions
from factories.archive import ChannelFactory, ClipFactory, PersonFactory, TopicFactory
from factories.transcripts import SpeakerFactory

pytestmark = pytest.mark.django_db

BASE = "https://clips.example"
FORMATS = ["rss", "atom"]


@pytest.fixture(autouse=True)
def site(settings):
    settings.CLIPDESK_BASE_URL = BASE
    settings.CLIPDESK_SITE_NAME = "Clip Archive"
    settings.CLIPDESK_PUBLISHER = "The Monitoring Trust"


def fetch(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


def published(minutes_ago: int, **fields):
    clip = ClipFactory(**fields)
    return actions.publish_clip(
        clip, user=None, published_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )


@pytest.fixture
def archive():
    topic, other_topic = TopicFactory(name="Iran", slug="iran"), TopicFactory(name="Gaza", slug="gaza")
    channel = ChannelFactory(name="Al-Manar TV", slug="al-manar-tv", country="Lebanon")
    person = PersonFactory(name="Ibrahim Al-Amine", slug="ibrahim-al-amine", kind="person")
    org = PersonFactory(name="Hizbullah", slug="hizbullah", kind="organisation")
    newest = published(
        1, title="Newest clip", channel=channel, summary="First <b>bold</b> claim.\n\nSecond paragraph."
    )
    newest.topics.add(topic)
    SpeakerFactory(clip=newest, person=person)
    middle = published(5, title="Middle clip")
    middle.topics.add(topic, other_topic)
    middle.people.add(org)
    oldest = published(10, title="Oldest clip", channel=channel)
    ClipFactory(title="Draft clip", channel=channel).topics.add(topic)
    withdrawn = published(3, title="Withdrawn clip", channel=channel)
    withdrawn.topics.add(topic)
    actions.withdraw_clip(withdrawn, user=None, reason="Duplicate")
    return {
        "topic": topic,
        "channel": channel,
        "person": person,
        "org": org,
        "newest": newest,
        "middle": middle,
        "oldest": oldest,
    }


def titles(parsed) -> list[str]:
    return [html.unescape(e.title).split(" ", 1)[1] for e in parsed.entries]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_all_clips_feed_lists_published_clips_newest_first(client, archive, fmt):
    response, parsed = fetch(client, f"/feeds/clips.{fmt}")
    expected_type = "application/rss+xml" if fmt == "rss" else "application/atom+xml"
    assert response["Content-Type"].startswith(expected_type)
    assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
    assert titles(parsed) == ["Newest clip", "Middle clip", "Oldest clip"]
    assert html.unescape(parsed.feed.title) == "Clip Archive: latest clips"
    assert parsed.feed.link == f"{BASE}/clips/"
    if fmt == "rss":
        assert parsed.feed.language == "en"


@pytest.mark.parametrize("fmt", FORMATS)
def test_entries_carry_absolute_links_stable_ids_dates_and_topics(client, archive, fmt):
    _, parsed = fetch(client, f"/feeds/clips.{fmt}")
    entry, clip = parsed.entries[0], archive["newest"]
    assert entry.link == f"{BASE}{clip.get_absolute_url()}"
    assert entry.id == f"{BASE}/clips/{clip.number}/"
    assert html.unescape(entry.title) == f"#{clip.number} Newest clip"
    assert [t.term for t in entry.tags] == ["Iran"]
    published = dt.datetime(*entry.published_parsed[:6], tzinfo=dt.UTC)
    assert abs(published - clip.published_at) < dt.timedelta(seconds=1)
    assert "Source: Al-Manar TV (Lebanon)" in entry.summary


@pytest.mark.parametrize("fmt", FORMATS)
def test_editors_text_reaches_readers_as_text_not_markup(client, fmt):
    published(1, title="Arms & <i>money</i>", summary="A <script>alert(1)</script> & <b>bold</b> claim")
    response, parsed = fetch(client, f"/feeds/clips.{fmt}")
    assert b"<script>" not in response.content and b"<b>bold" not in response.content
    entry = parsed.entries[0]
    # RSS readers take titles as HTML, so the title is HTML that shows the text; Atom's are plain text.
    shown = "Arms &amp; &lt;i&gt;money&lt;/i&gt;" if fmt == "rss" else "Arms & <i>money</i>"
    assert entry.title.endswith(shown)
    assert "&lt;b&gt;bold&lt;/b&gt;" in entry.summary  # shown as the characters the editor typed


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("kind", "key", "expected", "link"),
    [
        ("topics", "topic", ["Newest clip", "Middle clip"], "/topics/iran/"),
        ("channels", "channel", ["Newest clip", "Oldest clip"], "/channels/al-manar-tv/"),
        ("people", "person", ["Newest clip"], "/people/ibrahim-al-amine/"),
        ("people", "org", ["Middle clip"], "/people/hizbullah/"),
    ],
)
def test_feeds_per_topic_channel_person_and_organisation(client, archive, fmt, kind, key, expected, link):
    subject = archive[key]
    _, parsed = fetch(client, f"/feeds/{kind}/{subject.slug}.{fmt}")
    assert titles(parsed) == expected
    assert parsed.feed.link == f"{BASE}{link}"
    assert subject.name in html.unescape(parsed.feed.title)


def test_feed_urls_are_named_and_advertise_themselves(client, archive):
    url = reverse("api:feed-topic-atom", args=["iran"])
    assert url == "/feeds/topics/iran.atom"
    _, parsed = fetch(client, url)
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [f"{BASE}/feeds/topics/iran.atom"]
    assert parsed.feed.author == "The Monitoring Trust"
    _, rss = fetch(client, reverse("api:feed-channel-rss", args=["al-manar-tv"]))
    assert rss.feed.title == "Clip Archive: Al-Manar TV (Lebanon)"


@pytest.mark.parametrize(
    "url", ["/feeds/topics/nothing.rss", "/feeds/channels/nothing.atom", "/feeds/people/nobody.rss"]
)
def test_unknown_subjects_are_not_found(client, url):
    assert client.get(url).status_code == 404


def test_an_empty_archive_gives_an_empty_valid_feed(client):
    for fmt in FORMATS:
        _, parsed = fetch(client, f"/feeds/clips.{fmt}")
        assert parsed.entries == []


def test_feeds_hold_the_newest_clips_up_to_the_setting(client, settings):
    settings.CLIPDESK_FEED_ITEMS = 2
    for minutes in (1, 2, 3):
        published(minutes, title=f"Clip {minutes}")
    _, parsed = fetch(client, "/feeds/clips.rss")
    assert titles(parsed) == ["Clip 1", "Clip 2"]


def test_feeds_run_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for n in range(2):
        published(n).topics.add(TopicFactory())
    with django_assert_max_num_queries(10) as few:
        client.get("/feeds/clips.atom")
    for n in range(10):
        published(n + 10).topics.add(TopicFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/feeds/clips.atom").status_code == 200
