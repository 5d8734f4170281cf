"""What a response shows, as tags, and each tag's version.

A tag names a thing a page shows (`clip-8891`, `channel-12`, `person-4`, `topic-3`) or a set of pages
that change together (`list`, `search`, `corrections`, `channels`, ...). While a view runs, `tag()` adds
to the current response's tags; the middleware stores them with the cached page and sends them as
surrogate keys. A tag's version is the millisecond after the last change to it (milliseconds since the
epoch, kept in the page cache without expiry): a cached page is fresh while every tag it recorded still
has the version it recorded. Changing a tag is one write, with no scan of pages.
"""

import contextvars
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps

from django.core.cache import caches
from django.utils import timezone

# Tags go into HTTP headers separated by spaces: letters, digits and - _ . only.
VERSION_PREFIX = "tagv:"


@dataclass
class PageState:
    """What the view answering this request said about its response."""

    kind: str | None = None  # set by @public: the response may be cached for anonymous readers
    tags: set[str] = field(default_factory=set)


_state: contextvars.ContextVar[PageState | None] = contextvars.ContextVar("clipdesk_page_state", default=None)


def begin() -> contextvars.Token:
    return _state.set(PageState())


def end(token: contextvars.Token) -> None:
    _state.reset(token)


def current() -> PageState | None:
    return _state.get()


def tag(*names: str) -> None:
    """Record that the response being made shows these things (no effect outside a request)."""
    state = _state.get()
    if state is not None:
        state.tags.update(names)


def public(kind: str) -> Callable:
    """Mark a view's responses as public pages of `kind` (a key of settings.CLIPDESK_CACHE_MAX_AGE).

    For anonymous readers such a response is the same for everyone: it gets validators, Cache-Control,
    surrogate keys and a place in the page cache. Signed-in users get it uncached (`private, no-store`).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            mark(kind)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def mark(kind: str) -> None:
    state = _state.get()
    if state is not None:
        state.kind = kind


def is_public_page() -> bool:
    state = _state.get()
    return state is not None and state.kind is not None


def today() -> str:
    return timezone.localdate().isoformat()


def _cache():
    return caches["pages"]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def next_version() -> int:
    """A version later than any change made before now: the next millisecond."""
    return now_ms() + 1


def versions(tags: Iterable[str]) -> dict[str, int]:
    """The current version of each tag; a tag with none (never changed, or evicted) gets one now.

    A version made now is later than any version an earlier change could have given the tag, so a page
    recorded before an eviction is never taken for fresh after it.
    """
    keys = {VERSION_PREFIX + t: t for t in tags}
    found = _cache().get_many(list(keys))
    for key in keys.keys() - found.keys():
        version = next_version()
        # add(), not set(): another process may have made one meanwhile; then that one counts.
        found[key] = version if _cache().add(key, version, timeout=None) else _cache().get(key, version)
    return {tag: found[key] for key, tag in keys.items()}


def stored_versions(tags: Iterable[str]) -> dict[str, int] | None:
    """The current versions of these tags, or None when any has none (then no page showing it is fresh)."""
    keys = {VERSION_PREFIX + t: t for t in tags}
    found = _cache().get_many(list(keys))
    if len(found) != len(keys):
        return None
    return {tag: found[key] for key, tag in keys.items()}


def known_versions(tags: Iterable[str]) -> dict[str, int]:
    """The versions these tags have, or {} when any has none yet (then Last-Modified is unknown)."""
    return stored_versions(tags) or {}


def bump(tags: Iterable[str]) -> None:
    """Give each tag a new version: every page that recorded one of them is stale from now on."""
    version = next_version()
    _cache().set_many({VERSION_PREFIX + t: version for t in tags}, timeout=None)


def last_modified(versions_seen: dict[str, int]) -> int | None:
    """Last-Modified in whole seconds: the second that holds the latest change, rounded up.

    None while that second is not over: a change later in the same second would give the page the same
    Last-Modified, and a client's If-Modified-Since would take the changed page for unchanged.
    """
    if not versions_seen:
        return None
    seconds = math.ceil(max(versions_seen.values()) / 1000)
    return seconds if seconds * 1000 <= now_ms() else None
