"""The public corrections page and its RSS and Atom feeds: every published correction, newest first."""

import datetime as dt

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from clipdesk.archive import actions as archive_actions
from clipdesk.transcripts import actions
from clipdesk.transcripts.models import Revision
from factories.archive import ClipFactory
from factories.transcripts import SegmentFactory

pytestmark = pytest.mark.django_db

BASE = "https://clips.example"


def corrected(number, english_before, english_after, note, days_ago, user):
    clip = ClipFactory(title=f"Clip {number}")
    SegmentFactory(
        clip=clip, position=0, original_text="نص", original_language="ar", english_text=english_before
    )
    clip = archive_actions.publish_clip(clip, user=None, number=number)
    line = clip.segments.get()
    actions.edit_segment(line.pk, user=user, version=1, english_text=english_after)
    revision = actions.publish_correction(clip.revisions.pending().get(), user=user, note=note)
    Revision.objects.filter(pk=revision.pk).update(published_at=timezone.now() - dt.timedelta(days=days_ago))
    return clip


@pytest.fixture
def archive(roles, settings):
    settings.CLIPDESK_BASE_URL = BASE
    user = roles["publisher"]
    oldest = corrected(
        11, "He said the army left.", "He said the militia left.", "Militia, not army.", 3, user
    )
    middle = corrected(12, "We will return soon.", "We will return.", "'Soon' was not said.", 2, user)
    newest = corrected(13, "The talks failed.", "The talks stalled.", "A closer word.", 1, user)
    withdrawn = corrected(14, "Secret text.", "Other secret text.", "Hidden.", 0, user)
    archive_actions.withdraw_clip(withdrawn, user=None, reason="Rights.")
    return oldest, middle, newest


def test_page_lists_corrections_newest_first_with_word_diffs(client, archive):
    response = client.get("/corrections/")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    entries = page.select(".correction")
    assert [e.select_one("h2").get_text(strip=True) for e in entries] == [
        "#13 Clip 13",
        "#12 Clip 12",
        "#11 Clip 11",
    ]  # the withdrawn clip's correction is not shown: its text is no longer public
    oldest = entries[2]
    assert oldest.select_one(".correction-note").get_text() == "Militia, not army."
    assert [d.get_text() for d in oldest.select("del")] == ["army"]
    assert [i.get_text() for i in oldest.select("ins")] == ["militia"]
    assert "Line 1, English:" in oldest.select_one(".where").get_text()
    link = oldest.select_one("h2 a")["href"]
    assert link.startswith(archive[0].get_absolute_url()) and link.endswith(f"#{oldest['id']}")
    clip_page = BeautifulSoup(client.get(archive[0].get_absolute_url()).content, "html.parser")
    assert clip_page.select_one(f"#{oldest['id']}") is not None
    assert page.select_one("link[type='application/rss+xml']")["href"] == "/feeds/corrections.rss"
    assert "Secret" not in response.content.decode()


def test_page_is_paginated(client, archive, settings):
    settings.CLIPDESK_PAGE_SIZE = 2
    first = BeautifulSoup(client.get("/corrections/").content, "html.parser")
    assert len(first.select(".correction")) == 2 and first.select_one("a[rel=next]")["href"] == "?page=2"
    second = BeautifulSoup(client.get("/corrections/?page=2").content, "html.parser")
    assert [e.select_one("h2").get_text(strip=True) for e in second.select(".correction")] == ["#11 Clip 11"]
    assert client.get("/corrections/?page=x").status_code == 200  # an unreadable page is the first


def test_empty_archive_has_an_empty_corrections_page(client, db):
    assert "No corrections yet." in client.get("/corrections/").content.decode()


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feeds_carry_each_correction_with_its_note_and_diff(client, archive, fmt):
    response = client.get(f"/feeds/corrections.{fmt}")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title.endswith(": corrections")
    assert [e.title for e in feed.entries] == [
        "Correction to #13 Clip 13",
        "Correction to #12 Clip 12",
        "Correction to #11 Clip 11",
    ]
    oldest = feed.entries[2]
    assert oldest.link == f"{BASE}{archive[0].get_absolute_url()}#correction-{archive[0].revisions.get().pk}"
    assert "Militia, not army." in oldest.summary
    assert "<del>army</del>" in oldest.summary and "<ins>militia</ins>" in oldest.summary
    assert oldest.id.startswith(f"{BASE}/clips/11")


def test_clip_json_lists_what_each_correction_changed(client, archive):
    correction = client.get("/clips/11.json").json()["corrections"][0]
    assert correction["note"] == "Militia, not army."
    assert correction["changes"] == [
        {
            "line": 1,
            "field": "english_text",
            "before": "He said the army left.",
            "after": "He said the militia left.",
        }
    ]
    api = client.get("/api/clips/11").json()["corrections"][0]
    assert api["changes"] == correction["changes"]
