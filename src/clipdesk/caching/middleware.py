"""Public pages for anonymous readers: answered from the page cache when fresh, otherwise rendered and
given validators, Cache-Control and surrogate keys, and stored. Everything for signed-in users is
`private, no-store`.

It sits after SecurityMiddleware and WhiteNoise and before the session: a cached page is answered
without reading a session, a user or a CSRF cookie, and with the headers the inner middleware gave it
when it was rendered (CSP, X-Frame-Options, Vary).

Each process keeps the pages it served lately in front of the shared store (`local.py`): a hit then costs
one read, of its tags' versions in the shared store. A page is stored without waiting on anyone: on SQLite,
a store that would wait for the database's write lock is given up (the page is stored when next rendered),
and a page that another process stored meanwhile is not written again.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control
from django.utils.http import http_date

from . import local, tags

log = logging.getLogger(__name__)

# Headers a stored page keeps; the rest (Date, Content-Length, Set-Cookie, ...) are made per response.
STORED_HEADERS = {
    "content-type",
    "content-language",
    "content-disposition",
    "access-control-allow-origin",
    "vary",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "content-security-policy",
    "x-robots-tag",
    "link",
}


@dataclass(frozen=True)
class Entry:
    """A rendered public page as the page cache keeps it."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    kind: str
    versions: tuple[tuple[str, int], ...]
    etag: str

    def fresh(self) -> bool:
        """Whether every tag still has, in the shared store, the version it had when this was rendered."""
        return tags.stored_versions(tag for tag, _ in self.versions) == dict(self.versions)

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def anonymous_request(request: HttpRequest) -> bool:
    """No session and no credentials: the reader sees what every other anonymous reader sees."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "authorization" not in request.headers


def page_key(request: HttpRequest) -> str:
    # The host is validated (ALLOWED_HOSTS) as it would be by the view. The date is in the key because a
    # page may print today's date (a citation's "accessed"): every page is rendered again once a day.
    return f"page:{tags.today()}:{request.get_host()}:{request.get_full_path()}"


def _etag(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def cache_control(response: HttpResponse, kind: str) -> None:
    """Cache-Control for a public response of this kind (settings.CLIPDESK_CACHE_MAX_AGE)."""
    directives = {
        "public": True,
        "max_age": settings.CLIPDESK_CACHE_MAX_AGE[kind],
        "stale_while_revalidate": settings.CLIPDESK_CACHE_STALE_SECONDS,
    }
    if kind == "media":
        directives["immutable"] = True
        del directives["stale_while_revalidate"]
    elif settings.CLIPDESK_PURGER:  # a cache in front is purged at each change: it may keep pages longer
        directives["s_maxage"] = settings.CLIPDESK_CACHE_SHARED_MAX_AGE
    patch_cache_control(response, **directives)


def surrogate_keys(response: HttpResponse, names) -> None:
    keys = " ".join(sorted(names))
    if keys:
        response["xkey"] = keys
        response["Surrogate-Key"] = keys


def _validators(response: HttpResponse, etag: str | None, versions: dict[str, int]) -> int | None:
    if etag and not response.has_header("ETag"):
        response["ETag"] = etag
    # Last-Modified from the tags, never the view's own (a feed's newest item): only the tags know of
    # every change the response shows.
    modified = tags.last_modified(versions)
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    elif response.has_header("Last-Modified"):
        del response["Last-Modified"]
    return modified


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = tags.begin()
        try:
            return self._respond(request)
        finally:
            tags.end(token)

    def _respond(self, request: HttpRequest) -> HttpResponse:
        anonymous = request.method == "GET" and anonymous_request(request)
        key = page_key(request) if anonymous and settings.CLIPDESK_PAGE_CACHE else None
        if key is not None:
            try:
                entry = fresh_entry(key)
            except Exception as exc:  # a cache that fails leaves the page to be rendered
                log.warning("page cache unreadable, rendering %s: %r", request.path, exc)
                entry, key = None, None
            if entry is not None:
                return self._hit(request, entry)
        started = tags.now_ms()
        response = self.get_response(request)
        if key is not None:
            response["X-Page-Cache"] = "miss"  # rendered, whether or not it may be stored
        state = tags.current()
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "authorization" in request.headers:
            if not response.has_header("Cache-Control"):
                add_never_cache_headers(response)
            return response
        if key is not None and not _storable(response, state):
            local.unstored_keys().add(key)
        if state is None or state.kind is None or request.method != "GET":
            if response.cookies and not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_store=True)
            return response
        if response.cookies or not (200 <= response.status_code < 300 or response.status_code == 410):
            if response.cookies:  # a public page that set a cookie is a bug; it is never shared
                patch_cache_control(response, private=True, no_store=True)
            return response
        return self._public(request, response, state, key, started)

    def _hit(self, request: HttpRequest, entry: Entry) -> HttpResponse:
        response = entry.response()
        versions = dict(entry.versions)
        modified = _validators(response, entry.etag, versions)
        cache_control(response, entry.kind)
        surrogate_keys(response, versions)
        response["X-Page-Cache"] = "hit"
        return _conditional(request, entry.etag, modified, response)

    def _public(self, request, response: HttpResponse, state: tags.PageState, key, started: int):
        # Without the page cache, versions are only read (one query, whatever the page shows): a tag
        # never changed yet gives the page no Last-Modified. With it, such a tag gets its first version.
        try:
            versions = tags.versions(state.tags) if key is not None else tags.known_versions(state.tags)
        except Exception as exc:  # without versions: no Last-Modified, nothing stored
            log.warning("tag versions unreadable for %s: %r", request.path, exc)
            versions, key = {}, None
        etag = None if response.streaming else _etag(response.content)
        modified = _validators(response, etag, versions)
        cache_control(response, state.kind)
        surrogate_keys(response, state.tags)
        if key is not None and response.status_code in (200, 410) and not response.streaming:
            # Stored only when every tag's last change came before rendering began: a change committed
            # while the page was rendered may or may not be in it.
            before = started - settings.CLIPDESK_PAGE_CACHE_SKEW_MS
            if all(version <= before for version in versions.values()):
                entry = Entry(
                    status=response.status_code,
                    headers=tuple((k, v) for k, v in response.items() if k.lower() in STORED_HEADERS),
                    content=response.content,
                    kind=state.kind,
                    versions=tuple(sorted(versions.items())),
                    etag=response["ETag"],
                )
                try:
                    store(key, entry)
                except Exception as exc:  # a page not stored is rendered again next time
                    log.warning("page cache refused %s: %r", request.path, exc)
        if response.status_code != 200:
            return response
        return _conditional(request, response.get("ETag"), modified, response)


def _storable(response: HttpResponse, state: tags.PageState | None) -> bool:
    """Whether the page cache may keep this response to an anonymous GET (if its tags allow)."""
    return (
        state is not None
        and state.kind is not None
        and response.status_code in (200, 410)
        and not response.streaming
        and not response.cookies
    )


def fresh_entry(key: str) -> Entry | None:
    """The page stored under `key` if it is fresh: this process's copy, else the shared store's."""
    kept = local.entries()
    entry = kept.get(key)
    if entry is not None:
        if entry.fresh():
            return entry
        kept.discard(key)
    if key in local.unstored_keys():  # last answered by a response that is never stored
        return None
    entry = caches["pages"].get(key)
    if entry is None or not entry.fresh():
        return None
    kept.put(key, entry)
    return entry


def store(key: str, entry: Entry) -> None:
    """Keep a rendered page here and in the shared store, unless the shared store has it already (another
    process rendered it meanwhile) or storing it there would wait for a lock."""
    local.entries().put(key, entry)
    local.unstored_keys().discard(key)
    pages = caches["pages"]
    stored = pages.get(key)
    if stored is not None and (stored.etag, stored.versions) == (entry.etag, entry.versions):
        return
    connection = _sqlite_connection(pages)
    if connection is None:
        pages.set(key, entry, timeout=settings.CLIPDESK_PAGE_CACHE_SECONDS)
        return
    # SQLite has one writer at a time, and the other workers store pages too: rather than wait (up to the
    # connection's timeout) for the lock, give the store up. DatabaseCache gives up quietly; its cull
    # (before it takes the lock) raises.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (waits,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")
    try:
        pages.set(key, entry, timeout=settings.CLIPDESK_PAGE_CACHE_SECONDS)
    except DatabaseError as exc:
        log.debug("page not stored, the database is busy: %r", exc)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(waits)}")


def _sqlite_connection(cache):
    """The SQLite connection a database cache writes through, outside a transaction; None otherwise (a
    transaction holds the lock already, and other databases lock rows, not the database)."""
    if not isinstance(cache, DatabaseCache):
        return None
    connection = connections[router.db_for_write(cache.cache_model_class)]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    return connection


def _conditional(request, etag, modified, response):
    """304 when the request's validators match.

    A streamed file given up for the 304 is closed when the server closes the 304, as it would have been
    with its own response: its closers go with the answer. (Closing it here would send request_finished,
    and close the request's database connections, in the middle of the request.)"""
    answer = get_conditional_response(request, etag, modified, response)
    if answer is not response and response.streaming:
        answer._resource_closers.extend(response._resource_closers)
        response._resource_closers.clear()
    return answer
