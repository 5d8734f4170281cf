"""The page cache is exact: a change made through its real action (a correction, a withdrawal, a
publication, an admin edit of a channel, topic or person) changes every page that shows it on the next
request, and no other page is rendered again.

The truth is each page rendered without the cache: after every change, every page read through the
cache must be byte for byte what it renders as now. Which pages were rendered again is read from the
X-Page-Cache header ("miss": rendered, "hit": served from the cache).
"""

import time

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from clipdesk.archive import actions
from clipdesk.transcripts import actions as transcript_actions
from factories.archive import ClipFactory
from factories.transcripts import SegmentFactory

from .conftest import public_urls

pytestmark = pytest.mark.django_db

# The pages that show every clip, channel, topic or person: rendered again at any publication or withdrawal.
ARCHIVE_WIDE = {
    "home",
    "list",
    "list by channel",
    "country",
    "people",
    "channels",
    "topics",
    "feed",
    "atom feed",
}
ARCHIVE_WIDE |= {"api clips", "api people", "api channels"}
SEARCH = {"search", "empty search", "api search"}
# The first clip's page and everything else that shows it whole; its downloads name only its channel.
CLIP_PAGE = {"clip", "clip at a moment", "json", "api clip"}
FIRST_CLIP = CLIP_PAGE | {"embed", "line", "excerpt", "captions", "subrip", "text", "oembed"}


def _served(pages: dict[str, str]) -> dict[str, tuple[str, bytes]]:
    reader = Client()
    answers = {}
    for name, url in pages.items():
        response = reader.get(url)
        answers[name] = (response.get("X-Page-Cache", ""), response.content)
    return answers


def _rendered_now(pages, settings) -> dict[str, bytes]:
    settings.CLIPDESK_PAGE_CACHE = False
    try:
        return {name: content for name, (_, content) in _served(pages).items()}
    finally:
        settings.CLIPDESK_PAGE_CACHE = True


def _check(pages, settings, rendered_again: set[str]) -> dict[str, bytes]:
    time.sleep(0.002)  # versions are milliseconds: a page rendered in the change's millisecond is not stored
    served = _served(pages)
    truth = _rendered_now(pages, settings)
    stale = [name for name in pages if served[name][1] != truth[name]]
    assert not stale, f"served stale: {stale}"
    misses = {name for name, (state, _) in served.items() if state == "miss"}
    assert misses == rendered_again, (
        f"rendered again but not expected: {sorted(misses - rendered_again)}; "
        f"expected but served from the cache: {sorted(rendered_again - misses)}"
    )
    assert {name for name, (state, _) in served.items() if state == "hit"} == set(pages) - rendered_again
    return truth


def _admin_edit(client, url: str, **changes) -> None:
    """Submit an admin change form as a member of staff would: every field as shown, some changed."""
    form = BeautifulSoup(client.get(url).content, "html.parser").select_one(
        "form#" + url.split("/")[-4] + "_form"
    )
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]")
            data[name] = chosen["value"] if chosen else ""
        elif field.get("type") in {"checkbox", "radio"}:
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") != "submit":
            data[name] = field.get("value", "")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, BeautifulSoup(response.content, "html.parser").select(".errorlist")


@pytest.fixture
def pages(archive, page_cache):
    pages = {name: url for name, url in public_urls(archive).items() if name not in {"media", "poster"}}
    first = _served(pages)
    assert {name for name, (state, _) in first.items() if state != "miss"} == set()
    assert {name for name, (state, _) in _served(pages).items() if state != "hit"} == set()
    return pages


def test_a_correction_changes_the_clip_everywhere_it_is_shown_and_nowhere_else(
    archive, pages, settings, roles, django_capture_on_commit_callbacks
):
    first = archive["first"]
    line = first.segments.get(position=0)
    transcript_actions.edit_segment(
        line.pk, user=roles["publisher"], version=line.version, english_text="The vote is next Sunday."
    )
    revision = transcript_actions.pending_revision(first, roles["publisher"])
    with django_capture_on_commit_callbacks(execute=True):
        transcript_actions.publish_correction(revision, user=roles["publisher"], note="The date.")
    shows_first = {"home", "list", "list by channel", "country", "person", "channel", "topic", "other clip"}
    shows_first |= {"feed", "atom feed", "topic feed", "channel feed", "person feed", "api clips"}
    truth = _check(pages, settings, FIRST_CLIP | shows_first | SEARCH | {"corrections", "corrections feed"})
    assert b"The vote is next Sunday." in truth["clip"] and b"The vote is next Sunday." in truth["captions"]


def test_a_withdrawal_takes_the_clip_off_every_page_at_once(
    archive, pages, settings, roles, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_clip(archive["second"], user=roles["publisher"], reason="Misattributed.")
    truth = _check(pages, settings, ARCHIVE_WIDE | SEARCH | {"other clip", "other channel", "other topic"})
    assert Client().get(pages["other clip"]).status_code == 410
    assert b"Oil prices" not in truth["home"] and b"Oil prices" not in truth["feed"]


def test_a_publication_joins_the_lists_it_belongs_to(
    archive, pages, settings, roles, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clip = ClipFactory(title="A new clip on the grid", channel=archive["second"].channel)
        clip.topics.add(archive["other_topic"])
        SegmentFactory(clip=clip, position=0, english_text="New words.", english_origin="human")
        actions.publish_clip(clip, user=roles["publisher"])
    truth = _check(pages, settings, ARCHIVE_WIDE | SEARCH | {"other channel", "other topic"})
    assert b"A new clip on the grid" in truth["home"]


def test_a_channel_edit_changes_the_pages_that_name_it(
    archive, pages, settings, roles, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(roles["admin"])
    channel = archive["first"].channel
    with django_capture_on_commit_callbacks(execute=True):
        _admin_edit(client, f"/staff/admin/archive/channel/{channel.pk}/change/", name="Al-Manar Television")
    named = {"home", "list", "list by channel", "country", "channels", "channel", "person", "topic"}
    named |= {"feed", "atom feed", "topic feed", "channel feed", "person feed", "api clips", "api channels"}
    named |= {"corrections"}
    truth = _check(pages, settings, FIRST_CLIP | SEARCH | named)
    assert b"Al-Manar Television" in truth["clip"]


def test_a_topic_edit_changes_the_pages_that_name_it(
    archive, pages, settings, roles, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(roles["admin"])
    topic = archive["topic"]
    with django_capture_on_commit_callbacks(execute=True):
        _admin_edit(client, f"/staff/admin/archive/topic/{topic.pk}/change/", name="General elections")
    named = {"home", "list", "list by channel", "country", "topics", "topic", "person", "channel"}
    named |= {"feed", "atom feed", "topic feed", "channel feed", "person feed", "api clips", "api topic"}
    truth = _check(pages, settings, CLIP_PAGE | SEARCH | named)
    assert b"General elections" in truth["clip"]


def test_a_person_edit_changes_the_pages_that_name_them(
    archive, pages, settings, roles, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(roles["admin"])
    person = archive["person"]
    with django_capture_on_commit_callbacks(execute=True):
        _admin_edit(client, f"/staff/admin/archive/person/{person.pk}/change/", name="Ali Hassan Nasser")
    named = {"list", "list by channel", "country", "people", "person", "person feed", "other clip"}
    named |= {"api people", "api person"}
    truth = _check(pages, settings, CLIP_PAGE | SEARCH | named)
    assert b"Ali Hassan Nasser" in truth["clip"]
