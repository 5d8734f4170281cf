"""Each process keeps the pages it served in front of the shared page cache, and still never serves one
stale: every request checks the kept page against its tags' versions in the shared store, which any
process may have changed. The kept pages stay within their bound in bytes; pages that are never stored
are not looked up; a page is stored without waiting for SQLite's write lock."""

import sqlite3
from contextlib import closing

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clipdesk.archive.models import Clip
from clipdesk.caching import local, middleware, tags
from operations.sites import Served

from .test_varnish import CORRECT, SETUP

pytestmark = pytest.mark.django_db


def _key(url: str) -> str:
    return f"page:{tags.today()}:testserver:{url}"


def test_a_kept_page_is_served_until_another_process_changes_what_it_shows(archive, page_cache):
    url = archive["first"].get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    caches["pages"].delete(_key(url))  # from here on, only this process has the page
    assert Client().get(url)["X-Page-Cache"] == "hit"

    # Another process's change: the clip's row and its tag's version, written past this process's code.
    Clip.objects.filter(pk=archive["first"].pk).update(title="Talks about the vote")
    caches["pages"].set(tags.VERSION_PREFIX + "clip-8891", tags.next_version(), timeout=None)

    changed = Client().get(url)
    assert changed["X-Page-Cache"] == "miss" and b"Talks about the vote" in changed.content


def test_a_kept_page_whose_versions_left_the_shared_store_is_not_served(archive, page_cache):
    url = archive["first"].get_absolute_url()
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    caches["pages"].delete(tags.VERSION_PREFIX + "clip-8891")  # evicted, or a cache emptied
    assert Client().get(url)["X-Page-Cache"] == "miss"


def test_a_hit_from_a_kept_page_reads_only_the_versions(archive, page_cache):
    url = archive["first"].get_absolute_url()
    Client().get(url)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url)["X-Page-Cache"] == "hit"
    assert len(queries) == 1 and "tagv:clip-8891" in queries[0]["sql"]


def test_a_page_from_the_shared_store_is_kept_here_for_the_next_request(archive, page_cache, settings):
    url = archive["first"].get_absolute_url()
    Client().get(url)
    local.entries().discard(_key(url))  # as if another process had stored it
    assert Client().get(url)["X-Page-Cache"] == "hit"
    assert local.entries().get(_key(url)) is not None


def test_without_kept_pages_the_shared_store_still_serves(archive, page_cache, settings):
    settings.CLIPDESK_PAGE_CACHE_LOCAL_MB = 0
    url = archive["first"].get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    assert Client().get(url)["X-Page-Cache"] == "hit"
    assert len(local.entries()) == 0


def _entry(size: int) -> middleware.Entry:
    return middleware.Entry(200, (), b"x" * size, "page", (("clip-1", 1),), '"e"')


def test_kept_pages_stay_within_their_bound_in_bytes_the_least_recently_used_going_first():
    kept = local.LocalEntries(max_bytes=10_000)
    for n in range(5):
        kept.put(f"k{n}", _entry(3_000))
        assert kept.size <= 10_000
    assert [key for key in ("k0", "k1", "k2", "k3", "k4") if kept.get(key)] == ["k2", "k3", "k4"]
    kept.get("k2")  # read lately: kept over k3
    kept.put("k5", _entry(3_000))
    assert kept.get("k2") and not kept.get("k3") and kept.size <= 10_000
    kept.put("huge", _entry(20_000))  # larger than the bound: not kept, nothing pushed out for it
    assert kept.get("huge") is None and len(kept) == 3
    kept.put("k5", _entry(100))  # a key stored again is counted once
    assert kept.size == sum(len(k) + len(kept.get(k).content) for k in ("k2", "k4", "k5"))


def test_a_page_that_is_never_stored_is_not_looked_up_again(archive, page_cache):
    Client().get("/csrf/")  # answered for anonymous readers, never public
    with CaptureQueriesContext(connection) as queries:
        Client().get("/csrf/")
    assert not [q for q in queries.captured_queries if "clipdesk_page_cache" in q["sql"]]


def test_a_page_already_stored_by_another_process_is_not_written_again(archive, page_cache):
    url = archive["first"].get_absolute_url()
    Client().get(url)
    entry = local.entries().get(_key(url))
    with CaptureQueriesContext(connection) as queries:
        middleware.store(_key(url), entry)
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]


# In processes of their own: two gunicorn workers, and changes made by a third process.


@pytest.fixture
def served(make_site):
    def serve(**env):
        site = make_site(**env)
        site.env["DATABASE_URL"] = f"sqlite:///{site.var / 'clipdesk.sqlite3'}"
        url = site.python(SETUP).strip().splitlines()[-1]
        return site, Served(site, workers=2), url

    return serve


def test_every_worker_shows_a_correction_made_in_another_process_at_once(served):
    site, server, url = served(CLIPDESK_PAGE_CACHE_SKEW_MS="0")
    answers = [server.get(url) for _ in range(12)]
    assert all(a.status == 200 and "The vote is on Sunday." in a.body for a in answers)
    assert [a.headers["x-page-cache"] for a in answers[-4:]] == ["hit"] * 4

    site.python(CORRECT)
    for _ in range(8):  # both workers, each with the page kept from before
        answer = server.get(url)
        assert "The vote is next Sunday." in answer.body and "The vote is on Sunday." not in answer.body


def test_a_page_is_not_stored_while_another_process_holds_the_write_lock(served):
    site, server, url = served(CLIPDESK_PAGE_CACHE_LOCAL_MB="0", CLIPDESK_PAGE_CACHE_SKEW_MS="0")
    server.get(url)  # its tags get their first versions, the one write a page's first rendering makes

    def stored() -> bool:
        rows = site.rows("SELECT COUNT(*) FROM clipdesk_page_cache WHERE cache_key LIKE ?", f"%page:%{url}")
        return rows[0][0] > 0

    with closing(sqlite3.connect(site.var / "clipdesk.sqlite3", isolation_level=None)) as holder:
        holder.execute("DELETE FROM clipdesk_page_cache WHERE cache_key LIKE ?", (f"%page:%{url}",))
        holder.execute("BEGIN IMMEDIATE")  # another writer, for longer than any request may wait
        # Waiting for the lock would take the connection's timeout, 20 s: a request that hangs fails here.
        answer = server.get(url, timeout=10)
        assert answer.status == 200 and answer.headers["x-page-cache"] == "miss"
        assert not stored()
        holder.execute("ROLLBACK")
    server.get(url)
    assert stored()
    assert server.get(url).headers["x-page-cache"] == "hit"
