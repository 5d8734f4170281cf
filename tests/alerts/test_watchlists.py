"""Watchlists through their pages: a bad term is refused with its reason (a form error, never a 500),
a monitor sees only their own lists, and the feed shows and serves their alerts."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from alerts.conftest import AIR, make_line, store
from clipdesk.alerts import actions
from clipdesk.alerts.models import WatchTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def watched(monitor, client):
    client.force_login(monitor)
    return actions.create_watchlist(user=monitor, name="Truce")


def add(client, watched, **data):
    return client.post(f"/staff/alerts/watchlists/{watched.pk}/terms/", data)


def test_a_monitor_makes_a_watchlist_and_adds_terms(client, monitor, source):
    client.force_login(monitor)
    response = client.post(
        "/staff/alerts/watchlists/",
        {"name": "Gaza", "sources": [source.pk], "email": "m@example.org", "email_minutes": "5"},
    )
    assert response.status_code == 302
    watched = monitor.watchlists.get()
    assert list(watched.sources.all()) == [source] and watched.email_minutes == 5
    assert add(client, watched, kind="term", value="ceasefire").status_code == 302
    assert add(client, watched, kind="search", value='"Al-Manar" OR Hezbollah -rumour').status_code == 302
    assert list(watched.terms.values_list("kind", "value")) == [
        ("term", "ceasefire"),
        ("search", '"Al-Manar" OR Hezbollah -rumour'),
    ]
    page = client.get(f"/staff/alerts/watchlists/{watched.pk}/")
    assert page.status_code == 200 and b"ceasefire" in page.content


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"kind": "term", "value": "  "}, "The term is empty"),
        ({"kind": "phrase", "value": ""}, "The term is empty"),
        ({"kind": "name"}, "Choose the person or organisation"),
        ({"kind": "term", "value": "!!!"}, "has no letters or digits"),
        (
            {"kind": "search", "value": '"unclosed quote'},
            "Not a valid search: A quotation mark is not closed",
        ),
        ({"kind": "search", "value": "-rumour"}, "Only excluded words were given"),
        ({"kind": "search", "value": "speaker:Nasrallah truce"}, "speaker: cannot be watched"),
        ({"kind": "search", "value": "lang:xx1 truce"}, "Not a valid search"),
        ({"kind": "other", "value": "truce"}, "Select a valid choice"),
    ],
)
def test_a_bad_term_is_refused_with_its_reason(client, watched, data, reason):
    response = add(client, watched, **data)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not watched.terms.exists()


def test_a_term_that_matches_most_lines_of_the_last_hour_is_too_broad(client, watched, source):
    now = timezone.now()
    for i in range(30):
        text = "the news tonight" if i % 3 else "the truce holds"
        make_line(source, now - dt.timedelta(minutes=50) + dt.timedelta(seconds=10 * i), text, language="en")
    response = add(client, watched, kind="term", value="the")
    assert response.status_code == 400
    assert re.search(r"Too broad: it matches 30 of the last 30 lines", response.content.decode())
    assert add(client, watched, kind="term", value="truce").status_code == 302  # 10 of 30: fine
    assert list(watched.terms.values_list("value", flat=True)) == ["truce"]


def test_a_monitor_sees_only_their_own_watchlists_and_alerts(client, watched, source, roles):
    actions.add_watch_term(watched, user=watched.owner, kind=WatchTerm.Kind.TERM, value="truce")
    store(source, (AIR, "the truce holds", {"language": "en"}))
    other = roles["monitor"]
    client.force_login(other)
    assert client.get(f"/staff/alerts/watchlists/{watched.pk}/").status_code == 404
    assert add(client, watched, kind="term", value="war").status_code == 404
    assert client.get("/staff/alerts/feed.json").json() == {"alerts": []}
    assert b"the truce holds" not in client.get("/staff/alerts/").content


def test_the_feed_shows_each_alert_in_both_languages_with_its_links(client, watched, source):
    actions.add_watch_term(watched, user=watched.owner, kind=WatchTerm.Kind.TERM, value="truce")
    page = client.get("/staff/alerts/")
    assert page.status_code == 200 and b"No alert yet" in page.content
    assert b"<script>" not in page.content and b'src="/static/alerts/feed.js"' in page.content
    words = [[0, 500, "قال", 0.9], [2000, 2600, "الهدنة", 0.9]]
    [line] = store(source, (AIR, "قال الهدنة", {"english": "He said the truce", "words": words}))
    data = client.get("/staff/alerts/feed.json?after=0").json()["alerts"]
    assert len(data) == 1
    alert = data[0]
    assert alert["air_time"] == "2026-03-02T09:00:00Z"  # the draft matched: the line's start
    assert (alert["text"], alert["english"], alert["channel"]) == (line.text, line.english, "Al-Manar TV")
    timeline = "/staff/channels/al-manar-tv/timeline/"
    assert alert["play_url"] == f"{timeline}?t=2026-03-02T08:59:45Z"
    assert (
        alert["clip_url"]
        == f"{timeline}?t=2026-03-02T08:59:45Z&in=2026-03-02T08:59:45Z&out=2026-03-02T09:00:45Z"
    )
    assert client.get(f"/staff/alerts/feed.json?after={alert['id']}").json() == {"alerts": []}
    for bad in ("x", "-1", "9" * 40, ""):
        assert client.get(f"/staff/alerts/feed.json?after={bad}").status_code == 200
    page = client.get("/staff/alerts/").content.decode()
    assert "He said the truce" in page and "Make a clip here" in page and "Play from 15 s before" in page


def test_the_clip_link_fills_the_timelines_cut_form(client, watched, source):
    from recording.streams import recorded

    recorded(source, AIR - dt.timedelta(seconds=30), 60)
    page = client.get(
        "/staff/channels/al-manar-tv/timeline/?t=2026-03-02T08:59:45Z&in=2026-03-02T08:59:45Z&out=2026-03-02T09:00:45Z"
    ).content.decode()
    assert 'data-seek="2026-03-02T08:59:45+00:00"' in page
    assert 'value="2026-03-02T08:59:45+00:00"' in page and 'value="2026-03-02T09:00:45+00:00"' in page
    assert client.get("/staff/channels/al-manar-tv/timeline/?t=garbage&in=x").status_code == 200
