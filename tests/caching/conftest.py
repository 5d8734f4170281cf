"""A small published archive for the caching tests: two clips on two channels, with media, a topic, a
person, a cross-reference and a published correction; and the page cache turned on."""

from urllib.parse import urlencode

import pytest
from django.conf import settings

from clipdesk.archive import actions
from clipdesk.archive.models import ClipReference
from clipdesk.transcripts import actions as transcript_actions
from factories.archive import ChannelFactory, ClipFactory, PersonFactory, TopicFactory
from factories.transcripts import SegmentFactory, SpeakerFactory
from operations.sites import make_site, migrated  # noqa: F401  clipdesk sites in processes (test_varnish)


@pytest.fixture
def page_cache(settings, shared_cache):
    """The page cache as deployed: on, in the database cache; stored at once after a change (one clock)."""
    settings.CLIPDESK_PAGE_CACHE = True
    settings.CLIPDESK_PAGE_CACHE_SKEW_MS = 0


@pytest.fixture(scope="session")
def video(tmp_path_factory):
    from factories.media import make_video

    return make_video(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=1)


@pytest.fixture
def archive(db, roles, settings, tmp_path, video, search_dir, django_capture_on_commit_callbacks):
    """Everything is published through the real actions, with their after-commit work run."""
    from clipdesk.media.actions import attach_media

    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        person, topic = PersonFactory(name="Ali Hassan"), TopicFactory(name="Elections")
        other_person, other_topic = PersonFactory(name="Mona Zaki"), TopicFactory(name="Energy")
        first = ClipFactory(title="Talks about the elections", channel=ChannelFactory(name="Al-Manar TV"))
        second = ClipFactory(title="Oil prices and the grid", channel=ChannelFactory(name="Press TV"))
        first.topics.add(topic)
        first.people.add(person)
        second.topics.add(other_topic)
        speaker = SpeakerFactory(clip=first, label="Ali Hassan", person=person, position=0)
        SpeakerFactory(clip=second, label="Mona Zaki", person=other_person, position=0)
        for position, text in enumerate(["The vote is on Sunday.", "Turnout will be high."]):
            SegmentFactory(
                clip=first,
                position=position,
                speaker=speaker,
                english_text=text,
                english_origin="human",
                start_ms=position * 2000,
                end_ms=position * 2000 + 2000,
            )
        SegmentFactory(clip=second, position=0, english_text="Prices rose again.", english_origin="human")
        ClipReference.objects.create(clip=second, number=8891, person=person)
        attach_media(first, video, user=None, source="test")
        first = actions.publish_clip(first, user=roles["publisher"], number=8891)
        second = actions.publish_clip(second, user=roles["publisher"], number=8892)
        line = first.segments.get(position=1)
        transcript_actions.edit_segment(
            line.pk, user=roles["publisher"], version=line.version, english_text="Turnout will be very high."
        )
        revision = transcript_actions.pending_revision(first, roles["publisher"])
    with django_capture_on_commit_callbacks(execute=True):
        transcript_actions.publish_correction(revision, user=roles["publisher"], note="A word was missing.")
    first.refresh_from_db()
    second.refresh_from_db()
    return {
        "first": first,
        "second": second,
        "person": person,
        "topic": topic,
        "other_person": other_person,
        "other_topic": other_topic,
    }


def public_urls(archive) -> dict[str, str]:
    """Every kind of public page, feed, download and API response, by a short name."""
    first, second = archive["first"], archive["second"]
    person, topic, channel = archive["person"], archive["topic"], first.channel
    media = first.media.first()
    return {
        "home": "/",
        "clip": first.get_absolute_url(),
        "clip at a moment": first.get_absolute_url() + "?t=2",
        "other clip": second.get_absolute_url(),
        "embed": f"/embed/{first.number}/",
        "line": f"/clips/{first.number}/lines/2/",
        "excerpt": f"/clips/{first.number}/lines/1-2/",
        "list": "/clips/",
        "list by channel": f"/clips/?channel={channel.slug}",
        "country": "/clips/?country=Lebanon",
        "people": "/people/",
        "person": person.get_absolute_url(),
        "channels": "/channels/",
        "channel": channel.get_absolute_url(),
        "other channel": second.channel.get_absolute_url(),
        "topics": "/topics/",
        "topic": topic.get_absolute_url(),
        "other topic": archive["other_topic"].get_absolute_url(),
        "search": "/search/?q=vote",
        "empty search": "/search/",
        "corrections": "/corrections/",
        "feed": "/feeds/clips.rss",
        "atom feed": "/feeds/clips.atom",
        "topic feed": f"/feeds/topics/{topic.slug}.rss",
        "channel feed": f"/feeds/channels/{channel.slug}.atom",
        "person feed": f"/feeds/people/{person.slug}.rss",
        "corrections feed": "/feeds/corrections.rss",
        "captions": f"/clips/{first.number}/captions/en.vtt",
        "subrip": f"/clips/{first.number}/captions/en.srt",
        "text": f"/clips/{first.number}/transcript.txt",
        "json": f"/clips/{first.number}.json",
        "api clips": "/api/clips",
        "api clip": f"/api/clips/{first.number}",
        "api people": "/api/people",
        "api person": f"/api/people/{person.slug}",
        "api channels": "/api/channels",
        "api topic": f"/api/topics/{topic.slug}",
        "api search": "/api/search?q=vote",
        "oembed": "/oembed?" + urlencode({"url": settings.CLIPDESK_BASE_URL + first.get_absolute_url()}),
        "media": media.get_absolute_url(),
    } | ({"poster": media.poster_url} if media.poster else {})
