"""People and organisations, channels and topics: only those that published clips show."""

import pytest

from clipdesk.archive.models import PersonAlias
from factories.archive import ChannelFactory, ClipFactory, PersonFactory, TopicFactory
from factories.transcripts import SpeakerFactory

pytestmark = pytest.mark.django_db


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def catalogue():
    manar = ChannelFactory(name="Al-Manar TV", slug="al-manar", country="Lebanon", affiliation="Hizbullah")
    irinn = ChannelFactory(name="IRINN", slug="irinn", country="Iran", language="fa")
    unseen_channel = ChannelFactory(name="New Channel", slug="new-channel")
    war, unseen_topic = TopicFactory(name="War", slug="war", description="Wars."), TopicFactory(slug="soon")
    amine = PersonFactory(name="Ibrahim Al-Amine", slug="ibrahim-al-amine", description="Editor.")
    PersonAlias.objects.create(person=amine, name="Al-Amine")
    hizbullah = PersonFactory(name="Hizbullah", slug="hizbullah", kind="organisation")
    unseen_person = PersonFactory(name="Not Yet", slug="not-yet")
    first = ClipFactory(channel=manar, published=True)
    second = ClipFactory(channel=manar, published=True)
    third = ClipFactory(channel=irinn, published=True)
    draft = ClipFactory(channel=unseen_channel)
    SpeakerFactory(clip=first, person=amine)
    SpeakerFactory(clip=first, person=amine)  # two speaker rows, one clip
    first.people.add(amine)  # and linked as well: still one clip
    second.people.add(amine, hizbullah)
    for clip in (first, third):
        clip.topics.add(war)
    SpeakerFactory(clip=draft, person=unseen_person)
    draft.topics.add(unseen_topic)
    return locals()


def test_people_with_their_aliases_and_published_clips(client, catalogue, site):
    body = get(client, "/api/people")
    assert [p["slug"] for p in body["items"]] == ["hizbullah", "ibrahim-al-amine"]
    assert body["items"][1] == {
        "slug": "ibrahim-al-amine",
        "name": "Ibrahim Al-Amine",
        "kind": "person",
        "description": "Editor.",
        "aliases": ["Al-Amine"],
        "url": "https://clips.example/people/ibrahim-al-amine/",
        "clip_count": 2,
        "clips_url": "https://clips.example/api/clips?person=ibrahim-al-amine",
    }
    assert [p["slug"] for p in get(client, "/api/people?kind=organisation")["items"]] == ["hizbullah"]
    assert get(client, "/api/people/ibrahim-al-amine") == body["items"][1]
    clips = get(client, "/api/clips?person=ibrahim-al-amine")
    assert clips["count"] == 2


def test_channels_and_topics_with_published_clips(client, catalogue, site):
    channels = get(client, "/api/channels")["items"]
    assert [(c["slug"], c["clip_count"]) for c in channels] == [("al-manar", 2), ("irinn", 1)]
    assert channels[0] == {
        "slug": "al-manar",
        "name": "Al-Manar TV",
        "country": "Lebanon",
        "language": "ar",
        "affiliation": "Hizbullah",
        "url": "https://clips.example/channels/al-manar/",
        "clip_count": 2,
        "clips_url": "https://clips.example/api/clips?channel=al-manar",
    }
    assert [c["slug"] for c in get(client, "/api/channels?country=iran")["items"]] == ["irinn"]
    assert get(client, "/api/channels/irinn")["name"] == "IRINN"
    topics = get(client, "/api/topics")["items"]
    assert topics == [
        {
            "slug": "war",
            "name": "War",
            "description": "Wars.",
            "url": "https://clips.example/topics/war/",
            "clip_count": 2,
            "clips_url": "https://clips.example/api/clips?topic=war",
        }
    ]
    assert get(client, "/api/topics/war") == topics[0]


@pytest.mark.parametrize("url", ["/api/people/not-yet", "/api/channels/new-channel", "/api/topics/soon"])
def test_what_only_a_draft_names_is_not_found(client, catalogue, url):
    assert "published clips" in get(client, url, status=404)["detail"]


def test_a_withdrawn_clip_no_longer_counts(client, catalogue):
    from clipdesk.archive.actions import withdraw_clip

    withdraw_clip(catalogue["third"], user=None, reason="Wrong channel.")
    assert [c["slug"] for c in get(client, "/api/channels")["items"]] == ["al-manar"]
    assert get(client, "/api/topics/war")["clip_count"] == 1


def test_catalogue_lists_are_paginated(client):
    for n in range(3):
        ClipFactory(channel=ChannelFactory(name=f"Channel {n}", slug=f"channel-{n}"), published=True)
    body = get(client, "/api/channels?page_size=2&page=2")
    assert (body["count"], [c["slug"] for c in body["items"]], body["next"]) == (3, ["channel-2"], None)
