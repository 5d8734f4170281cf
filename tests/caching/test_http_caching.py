"""HTTP caching of public responses: validators from what the page shows, 304s, Cache-Control per kind
of page, surrogate keys; nothing cacheable for signed-in users; media cached by its content."""

import time

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from django.utils.http import http_date

from clipdesk.archive import actions

from .conftest import public_urls

pytestmark = pytest.mark.django_db


def get(url, **headers):
    """The response, its streamed file (media) read and closed.

    Closed as Django's test client closes responses: without closing the test's database connection
    (request_finished would, on PostgreSQL, inside the test's transaction)."""
    response = Client().get(url, **headers)
    if response.streaming:
        response.streamed = b"".join(response.streaming_content)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            signals.request_finished.connect(close_old_connections)
    return response


KINDS = {
    "clip": ("page", 60),
    "list": ("page", 60),
    "search": ("search", 60),
    "feed": ("feed", 300),
    "captions": ("download", 300),
    "json": ("download", 300),
    "api clips": ("api", 60),
}


@pytest.fixture(params=["on", "off"])
def cache(request, settings, page_cache):
    settings.CLIPDESK_PAGE_CACHE = request.param == "on"
    return request.param


def test_each_kind_of_page_has_its_max_age_and_no_shared_max_age_without_a_purger(archive, cache):
    urls = public_urls(archive)
    for name, (_, seconds) in KINDS.items():
        response = Client().get(urls[name])
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {"public", f"max-age={seconds}", "stale-while-revalidate=60"}, name
        assert response["ETag"].startswith('"'), name
        assert not any(d.startswith("s-maxage") for d in directives)


def test_a_configured_purger_lets_the_cache_in_front_keep_pages_longer(archive, page_cache, settings):
    settings.CLIPDESK_PURGER = "clipdesk.caching.purgers.VarnishPurger"
    settings.CLIPDESK_VARNISH_URLS = ["http://127.0.0.1:9"]
    response = Client().get(archive["first"].get_absolute_url())
    assert "s-maxage=86400" in response["Cache-Control"]


def test_a_matching_etag_answers_304_without_a_body(archive, cache):
    for name, url in public_urls(archive).items():
        first = get(url)
        again = get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, name
        assert again.content == b"" and again["ETag"] == first["ETag"], name
        assert get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200, name


def test_last_modified_follows_the_last_change_the_page_shows(
    archive, cache, roles, django_capture_on_commit_callbacks
):
    url = archive["first"].get_absolute_url()
    time.sleep(1.1)  # Last-Modified is sent once the second of the last change is over
    modified = Client().get(url)["Last-Modified"]
    assert Client().get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_clip(archive["first"], user=roles["publisher"], reason="Misattributed.")
    gone = Client().get(url, HTTP_IF_MODIFIED_SINCE=modified)
    assert gone.status_code == 410
    assert "Last-Modified" not in gone or gone["Last-Modified"] != modified
    # A page that does not show the clip keeps its date.
    other = archive["second"].channel.get_absolute_url()
    assert Client().get(other, HTTP_IF_MODIFIED_SINCE=http_date(time.time())).status_code == 304


def test_surrogate_keys_name_what_the_page_shows(archive, cache):
    first = archive["first"]
    keys = set(Client().get(first.get_absolute_url())["xkey"].split())
    assert {"clip-8891", f"channel-{first.channel_id}", f"topic-{archive['topic'].pk}"} <= keys
    assert f"person-{archive['person'].pk}" in keys
    response = Client().get("/search/?q=vote")
    assert response["xkey"] == response["Surrogate-Key"] == "search"


def test_vary_only_on_what_changes_the_page(archive, cache):
    for name, url in public_urls(archive).items():
        vary = {v.strip().lower() for v in get(url).get("Vary", "").split(",") if v.strip()}
        assert vary <= {"cookie"}, (name, vary)


def test_nothing_is_cacheable_for_signed_in_users_or_staff_pages(archive, cache, roles):
    staff = Client()
    staff.force_login(roles["editor"])
    for url in [
        archive["first"].get_absolute_url(),
        "/clips/",
        "/search/?q=vote",
        "/staff/work/",
        "/feeds/clips.rss",
    ]:
        response = staff.get(url)
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"], url
        assert "xkey" not in response and "X-Page-Cache" not in response, url
    reader = Client()
    reader.force_login(roles["reader"])
    assert "no-store" in reader.get("/clips/")["Cache-Control"]


def test_an_api_token_is_never_answered_from_a_shared_copy(archive, cache):
    response = Client().get("/api/clips", HTTP_AUTHORIZATION="Bearer nothing-valid")
    assert "no-store" in response["Cache-Control"] and "X-Page-Cache" not in response


def test_media_is_cached_for_a_year_at_its_versioned_address_and_ranges_still_work(archive, cache):
    media = archive["first"].media.first()
    url = media.get_absolute_url()
    assert url.endswith(f"?v={media.sha256[:16]}")
    whole = get(url)
    directives = {d.strip() for d in whole["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=31536000", "immutable"}
    assert whole["ETag"] == f'"{media.sha256}"'
    part = get(url, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and part["Content-Range"].startswith("bytes 0-99/")
    assert len(part.streamed) == 100 and part["ETag"] == whole["ETag"]
    assert get(url, HTTP_IF_NONE_MATCH=whole["ETag"]).status_code == 304
    unversioned = get(url.split("?")[0])
    assert "max-age=300" in unversioned["Cache-Control"] and "immutable" not in unversioned["Cache-Control"]


def test_a_page_is_answered_from_the_page_cache_only_when_it_is_on(archive, page_cache, settings):
    url = archive["first"].get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    assert Client().get(url)["X-Page-Cache"] == "hit"
    settings.CLIPDESK_PAGE_CACHE = False
    assert "X-Page-Cache" not in Client().get(url)


def test_the_page_cache_works_the_same_on_redis(
    archive, page_cache, settings, roles, django_capture_on_commit_callbacks
):
    """With REDIS_URL the page cache is Redis (django's RedisCache): stored, served, made stale by a change."""
    import uuid

    from django.core.cache import caches

    prefix = f"test-{uuid.uuid4().hex}"  # this test's keys only
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
            "KEY_PREFIX": prefix,
        },
    }
    try:
        url = archive["first"].get_absolute_url()
        # The first rendering gives the page's tags their first versions; the next one is stored.
        assert Client().get(url)["X-Page-Cache"] == "miss"
        time.sleep(0.002)  # versions are milliseconds
        assert Client().get(url)["X-Page-Cache"] == "miss"
        time.sleep(0.002)
        assert Client().get(url)["X-Page-Cache"] == "hit"
        with django_capture_on_commit_callbacks(execute=True):
            actions.withdraw_clip(archive["first"], user=roles["publisher"], reason="Misattributed.")
        gone = Client().get(url)
        assert gone.status_code == 410 and gone["X-Page-Cache"] == "miss"
    finally:
        client = caches["pages"]._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
