"""/api/search: the site's search, as JSON: clips with their best matching lines."""

import datetime as dt

import pytest

from clipdesk.archive.actions import publish_clip
from factories.api import api_token, bearer
from factories.archive import ChannelFactory, ClipFactory
from factories.transcripts import SegmentFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(django_capture_on_commit_callbacks, site):
    """Clips published (or saved as drafts) for real: their commit callbacks index them."""
    manar = ChannelFactory(name="Al-Manar TV", slug="al-manar-tv", country="Lebanon")
    press = ChannelFactory(name="Press TV", slug="press-tv", country="Iran", language="fa")

    def clip(title, english, original="", *, channel=manar, publish=True, aired_on=dt.date(2021, 5, 28)):
        with django_capture_on_commit_callbacks(execute=True):
            made = ClipFactory(title=title, channel=channel, aired_on=aired_on)
            speaker = SpeakerFactory(clip=made, label="Hassan Nasrallah")
            SegmentFactory(clip=made, position=0, english_text="Welcome.", start_ms=0, end_ms=9000)
            SegmentFactory(
                clip=made,
                position=1,
                speaker=speaker,
                english_text=english,
                original_text=original,
                original_language="ar",
                start_ms=10_000,
                end_ms=19_000,
            )
        if publish:
            with django_capture_on_commit_callbacks(execute=True):
                made = publish_clip(made, user=None)
        return made

    return {
        "talks": clip("Peace talks in Beirut", "We will not negotiate <b>now</b>.", "لن نتفاوض"),
        "drones": clip(
            "Drones on show",
            "The drones flew over the negotiate table.",
            channel=press,
            aired_on=dt.date(2020, 1, 1),
        ),
        "draft": clip("Secret draft", "Not yet public: negotiate.", publish=False),
    }


def search(client, query: str, status: int = 200, **headers):
    response = client.get(f"/api/search?{query}", **headers)
    assert response.status_code == status, response.content
    return response.json()


def test_matching_clips_with_their_highlighted_lines(client, indexed):
    body = search(client, "q=negotiate")
    assert {item["clip"]["title"] for item in body["items"]} == {"Peace talks in Beirut", "Drones on show"}
    assert body["count"] == 2 and body["query"] == "negotiate" and body["next"] is None
    talks = next(item for item in body["items"] if item["clip"]["number"] == indexed["talks"].number)
    assert talks["clip"]["api_url"] == f"https://clips.example/api/clips/{indexed['talks'].number}"
    assert talks["lines"] == [
        {
            "position": 1,
            "speaker": "Hassan Nasrallah",
            "start_ms": 10000,
            "url": f"https://clips.example{indexed['talks'].get_absolute_url()}?t=10",
            "english_html": "We will not <mark>negotiate</mark> &lt;b&gt;now&lt;/b&gt;.",
            "original_html": "لن نتفاوض",
        }
    ]


def test_filters_and_sorting(client, indexed):
    assert [i["clip"]["title"] for i in search(client, "q=negotiate&channel=press-tv")["items"]] == [
        "Drones on show"
    ]
    assert [i["clip"]["title"] for i in search(client, "q=negotiate&country=Lebanon")["items"]] == [
        "Peace talks in Beirut"
    ]
    assert [i["clip"]["title"] for i in search(client, "q=negotiate&year=2020")["items"]] == [
        "Drones on show"
    ]
    by_date = search(client, "q=negotiate&sort=date")["items"]
    assert [i["clip"]["title"] for i in by_date] == ["Peace talks in Beirut", "Drones on show"]


def test_pages(client, indexed):
    first = search(client, "q=negotiate&page_size=1")
    assert len(first["items"]) == 1 and first["previous"] is None
    second = search(client, first["next"].removeprefix("https://clips.example/api/search?"))
    assert len(second["items"]) == 1 and second["next"] is None
    assert first["items"][0]["clip"]["id"] != second["items"][0]["clip"]["id"]


def test_drafts_only_with_a_staff_token(client, indexed):
    titles = {i["clip"]["title"] for i in search(client, "q=negotiate")["items"]}
    assert "Secret draft" not in titles
    search(client, "q=negotiate&include=drafts", status=403)
    staff = bearer(api_token(username="editor", is_staff=True))
    assert "Secret draft" not in {i["clip"]["title"] for i in search(client, "q=negotiate", **staff)["items"]}
    drafts = search(client, "q=negotiate&include=drafts", **staff)["items"]
    assert "Secret draft" in {i["clip"]["title"] for i in drafts}


def test_an_empty_query_finds_nothing(client, indexed):
    body = search(client, "q=")
    assert body["items"] == [] and body["count"] == 0
