"""Names that only unpublished clips use stay off every public page, form and feed until a clip using
them is published: a person, an organisation, a topic and a channel of a clip in preparation."""

import pytest

from clipdesk.archive import actions
from clipdesk.archive.models import Channel, Person, Topic
from clipdesk.transcripts.models import Segment, Speaker
from factories.archive import ClipFactory

pytestmark = pytest.mark.django_db

NAMES = ("Hidden Speaker", "Quiet Organisation", "Secret Topic", "Unaired Channel TV")


@pytest.fixture(autouse=True)
def search_dir(settings, tmp_path):
    from clipdesk.search import names

    settings.CLIPDESK_SEARCH_DIR = tmp_path / "search"
    names.cache.forget()
    yield
    names.cache.forget()


def _clip(committed, title: str, channel: Channel, topic: Topic, speaker: Person, linked: Person):
    with committed():  # drafts are indexed too (for staff) when what staff wrote commits
        clip = ClipFactory(title=title, channel=channel)
        clip.topics.set([topic])
        clip.people.set([linked])
        who = Speaker.objects.create(clip=clip, label=speaker.name, person=speaker, position=0)
        Segment.objects.create(
            clip=clip,
            position=0,
            start_ms=0,
            end_ms=9_000,
            speaker=who,
            english_text="We talked about the ceasefire.",
            original_text="تحدثنا عن وقف إطلاق النار",
            original_language="ar",
        )
    return clip


@pytest.fixture
def draft(django_capture_on_commit_callbacks):
    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    public = _clip(
        committed,
        "A published clip",
        Channel.objects.create(name="Open Channel TV", slug="open-channel-tv"),
        Topic.objects.create(name="Open Topic", slug="open-topic"),
        Person.objects.create(name="Known Speaker", slug="known-speaker"),
        Person.objects.create(name="Known Group", slug="known-group", kind=Person.Kind.ORGANISATION),
    )
    with committed():
        actions.publish_clip(public, user=None)
    clip = _clip(
        committed,
        "A clip in preparation",
        Channel.objects.create(name="Unaired Channel TV", slug="unaired-channel-tv"),
        Topic.objects.create(name="Secret Topic", slug="secret-topic"),
        Person.objects.create(name="Hidden Speaker", slug="hidden-speaker"),
        Person.objects.create(
            name="Quiet Organisation", slug="quiet-organisation", kind=Person.Kind.ORGANISATION
        ),
    )
    clip.publish_now = lambda: _publish(committed, clip)
    return clip


def _publish(committed, clip):
    with committed():
        actions.publish_clip(clip, user=None)


PAGES = [
    "/people/hidden-speaker/",
    "/people/quiet-organisation/",
    "/topics/secret-topic/",
    "/channels/unaired-channel-tv/",
    *(
        f"/feeds/{kind}/{slug}.{fmt}"
        for kind, slug in (
            ("people", "hidden-speaker"),
            ("people", "quiet-organisation"),
            ("topics", "secret-topic"),
            ("channels", "unaired-channel-tv"),
        )
        for fmt in ("rss", "atom")
    ),
]
LISTINGS = [
    "/",
    "/clips/",
    "/people/",
    "/topics/",
    "/channels/",
    "/subscribe/",
    "/subscribe/?person=hidden-speaker&person=quiet-organisation&topic=secret-topic&channel=unaired-channel-tv",
    "/search/?q=ceasefire",
    "/search/?q=ceasefire&person=hidden-speaker&topic=secret-topic&channel=unaired-channel-tv",
]


def _shows_a_name(content: bytes) -> list[str]:
    text = content.decode()
    return [name for name in NAMES if name in text]


def test_names_of_unpublished_clips_stay_off_public_pages_until_one_is_published(client, draft):
    for url in PAGES:
        assert client.get(url).status_code == 404, url
    for url in LISTINGS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _shows_a_name(response.content) == [], url
    for param, slug in (
        ("person", "hidden-speaker"),
        ("topic", "secret-topic"),
        ("channel", "unaired-channel-tv"),
    ):
        response = client.get(f"/clips/?{param}={slug}")
        assert response.status_code == 404 and _shows_a_name(response.content) == [], param
    # Nor can a subscription follow them.
    refused = client.post(
        "/subscribe/", {"email": "reader@example.org", "frequency": "daily", "people": ["hidden-speaker"]}
    )
    assert refused.status_code == 200 and b"not one of the available choices" in refused.content

    draft.publish_now()
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    shown = {
        "/clips/": NAMES,
        "/subscribe/": NAMES,
        "/search/?q=ceasefire": NAMES,
        "/people/": NAMES[:2],
        "/topics/": NAMES[2:3],
        "/channels/": NAMES[3:],
    }
    for url, names in shown.items():
        assert _shows_a_name(client.get(url).content) == list(names), url
    assert client.get("/clips/?person=hidden-speaker").status_code == 200
