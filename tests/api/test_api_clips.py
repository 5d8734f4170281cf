"""The clip endpoints: the list with its filters and pagination, one clip with its transcript, drafts."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clipdesk.archive import actions
from clipdesk.transcripts.export import clip_document
from factories.api import api_token, bearer
from factories.archive import ChannelFactory, ClipFactory, PersonFactory, TopicFactory
from factories.transcripts import SegmentFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def numbers(body) -> list[int]:
    return [item["number"] for item in body["items"]]


@pytest.fixture
def archive():
    """Published clips on two channels in two countries, with topics and people, and clips not published."""
    manar = ChannelFactory(name="Al-Manar TV", slug="al-manar", country="Lebanon")
    irinn = ChannelFactory(name="IRINN", slug="irinn", country="Iran", language="fa")
    war, economy = TopicFactory(name="War", slug="war"), TopicFactory(name="Economy", slug="economy")
    amine = PersonFactory(name="Ibrahim Al-Amine", slug="ibrahim-al-amine")
    clips = {
        "a": ClipFactory(channel=manar, aired_on=dt.date(2021, 5, 28), published=True),
        "b": ClipFactory(channel=manar, aired_on=dt.date(2020, 1, 2), published=True),
        "c": ClipFactory(channel=irinn, aired_on=dt.date(2021, 7, 1), published=True),
        "draft": ClipFactory(channel=manar, aired_on=dt.date(2021, 6, 1)),
        "review": ClipFactory(channel=manar, aired_on=dt.date(2021, 6, 2)),
        "withdrawn": ClipFactory(channel=manar, aired_on=dt.date(2021, 6, 3), published=True),
    }
    actions.withdraw_clip(clips["withdrawn"], user=None, reason="Mistranslated.")
    clips["review"].status = "review"
    clips["review"].save()
    clips["a"].topics.add(war)
    clips["c"].topics.add(war, economy)
    clips["draft"].topics.add(economy)
    SpeakerFactory(clip=clips["a"], label="Ibrahim Al-Amine", person=amine)
    clips["c"].people.add(amine)
    SegmentFactory(clip=clips["a"], original_text="كلام", original_language="ar")
    SegmentFactory(clip=clips["c"], original_text="حرف", original_language="fa-IR")
    SegmentFactory(clip=clips["draft"], original_text="حرف", original_language="fa")
    return clips


def test_the_list_holds_published_clips_only_newest_aired_first(client, archive, site):
    body = get(client, "/api/clips")
    assert numbers(body) == [archive["c"].number, archive["a"].number, archive["b"].number]
    assert body["count"] == 3
    first = body["items"][0]
    clip = archive["c"]
    assert first == {
        "id": clip.pk,
        "number": clip.number,
        "reference": f"#{clip.number}",
        "url": f"https://clips.example/clips/{clip.number}/{clip.slug}/",
        "api_url": f"https://clips.example/api/clips/{clip.number}",
        "status": "published",
        "title": clip.title,
        "summary": "A summary.",
        "aired_on": "2021-07-01",
        "published_at": first["published_at"],
        "duration_ms": 153000,
        "channel": {
            "slug": "irinn",
            "name": "IRINN",
            "country": "Iran",
            "language": "fa",
            "affiliation": "",
            "url": "https://clips.example/channels/irinn/",
        },
        "topics": ["Economy", "War"],
    }
    assert dt.datetime.fromisoformat(first["published_at"]) == clip.published_at


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("channel=al-manar", ["a", "b"]),
        ("country=lebanon", ["a", "b"]),
        ("topic=war", ["c", "a"]),
        ("topic=economy", ["c"]),
        ("person=ibrahim-al-amine", ["c", "a"]),  # a speaker in a, linked to c
        ("year=2021", ["c", "a"]),
        ("language=ar", ["a"]),
        ("language=fa", ["c"]),  # fa-IR is Farsi too
        ("channel=al-manar&year=2021&topic=war", ["a"]),
        ("year=1999", []),
    ],
)
def test_filters(client, archive, query, expected):
    assert numbers(get(client, f"/api/clips?{query}")) == [archive[key].number for key in expected]


@pytest.mark.parametrize("name", ["channel", "topic", "person"])
def test_an_unknown_name_is_404_not_an_empty_list(client, archive, name):
    assert get(client, f"/api/clips?{name}=nobody", status=404)["detail"] == f"No {name} 'nobody'."


@pytest.mark.parametrize(
    "query", ["year=abc", "year=0", "page=0", "page_size=101", "language=a1", "include=all"]
)
def test_invalid_parameters_are_422_naming_the_parameter(client, archive, query):
    body = get(client, f"/api/clips?{query}", status=422)
    assert body["detail"][0]["loc"][-1] == query.split("=")[0]


def test_pagination_walks_every_clip_once(client, site):
    clips = [ClipFactory(aired_on=dt.date(2020, 1, day), published=True) for day in range(1, 6)]
    body = get(client, "/api/clips?page_size=2")
    assert (body["count"], body["page"], body["page_size"], body["previous"]) == (5, 1, 2, None)
    seen = numbers(body)
    while body["next"]:
        assert body["next"].startswith("https://clips.example/api/clips?")
        body = get(client, body["next"].removeprefix("https://clips.example"))
        seen += numbers(body)
    assert seen == [clip.number for clip in reversed(clips)]
    assert body["page"] == 3 and body["previous"].endswith("page_size=2&page=2")
    assert get(client, "/api/clips?page=4&page_size=2")["items"] == []


def test_filters_survive_in_the_page_links(client, archive):
    for _ in range(3):
        ClipFactory(channel=archive["a"].channel, published=True)
    body = get(client, "/api/clips?channel=al-manar&page_size=2")
    assert "channel=al-manar" in body["next"]


def test_the_list_reads_as_many_queries_for_twelve_clips_as_for_one(client):
    def queries_for_the_list() -> int:
        cache.clear()  # the rate limit's count, kept in the database cache, starts anew each time
        with CaptureQueriesContext(connection) as queries:
            get(client, "/api/clips?page_size=50")
        return len(queries)

    ClipFactory(published=True).topics.add(TopicFactory())
    one = queries_for_the_list()
    for _ in range(11):
        ClipFactory(published=True).topics.add(TopicFactory())
    assert queries_for_the_list() == one


def test_a_clip_is_its_clip_document(client, transcript_clip, site):
    body = get(client, f"/api/clips/{transcript_clip.number}")
    expected = json.loads(json.dumps(clip_document(transcript_clip), cls=DjangoJSONEncoder))
    assert body == expected
    assert [s["english_text"] for s in body["segments"]] == [
        "Welcome.",
        "Thank you [all] for having me.",
        "What happened?",
        "Nothing...",
    ]
    assert body["languages"] == ["en", "ar"]
    assert get(client, f"/api/clips/id:{transcript_clip.pk}") == body


def test_drafts_and_withdrawn_clips_are_not_found(client, archive):
    for key in ("draft", "review"):
        get(client, f"/api/clips/id:{archive[key].pk}", status=404)
    get(client, f"/api/clips/{archive['withdrawn'].number}", status=404)
    get(client, f"/api/clips/id:{archive['withdrawn'].pk}", status=404)
    get(client, "/api/clips/999999", status=404)
    get(client, "/api/clips/not-a-number", status=422)


def test_drafts_need_a_staff_token(client, archive):
    reader = api_token(username="researcher", is_staff=False)
    assert "staff" in get(client, "/api/clips?include=drafts", status=403)["detail"]
    get(client, "/api/clips?include=drafts", status=403, **bearer(reader))
    get(client, f"/api/clips/id:{archive['draft'].pk}?include=drafts", status=403, **bearer(reader))
    # A token alone shows what everyone sees.
    staff = api_token(username="editor", is_staff=True)
    assert len(get(client, "/api/clips", **bearer(staff))["items"]) == 3


def test_a_staff_token_with_include_drafts_sees_every_clip(client, archive):
    staff = bearer(api_token(username="editor", is_staff=True))
    body = get(client, "/api/clips?include=drafts", **staff)
    assert {item["id"] for item in body["items"]} == {clip.pk for clip in archive.values()}
    assert {item["status"] for item in body["items"]} == {"published", "draft", "review", "withdrawn"}
    draft = next(item for item in body["items"] if item["status"] == "draft")
    assert (draft["number"], draft["reference"]) == (None, f"id:{archive['draft'].pk}")
    assert draft["api_url"].endswith(f"/api/clips/id:{archive['draft'].pk}")
    document = get(client, f"/api/clips/id:{archive['draft'].pk}?include=drafts", **staff)
    assert (document["status"], document["number"]) == ("draft", None)
    assert numbers(get(client, "/api/clips?include=drafts&language=fa", **staff)) == [
        archive["c"].number,
        None,
    ]
