"""Rendered pages kept in this process, in front of the shared page cache.

A hit from the shared store costs two reads (the page, then its tags' versions) and unpickling the page;
one kept here costs only the versions' read. An entry kept here is served on exactly the terms of one in
the shared store: only while every tag it recorded has, in the shared store, the version it recorded, read
on every request. A change made by any process gives its tags new versions there, so it is seen at the
next request of every process, and nothing kept here is ever served stale.

Bounded in bytes (`CLIPDESK_PAGE_CACHE_LOCAL_MB` per process), the least recently used going first.
"""

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

if TYPE_CHECKING:
    from .middleware import Entry

# At most this many keys of responses that are never stored, whose shared lookup is skipped.
UNSTORED_KEYS = 10_000


class LocalEntries:
    """A least-recently-used map of page keys to entries, at most `max_bytes` of page bodies and keys."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers answer requests in several threads

    def get(self, key: str) -> "Entry | None":
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: "Entry") -> None:
        cost = _cost(key, entry)
        with self._lock:
            self._remove(key)
            if cost > self.max_bytes:
                return
            self._entries[key] = entry
            self.size += cost
            while self.size > self.max_bytes:
                self._remove(next(iter(self._entries)))

    def discard(self, key: str) -> None:
        with self._lock:
            self._remove(key)

    def __len__(self) -> int:
        return len(self._entries)

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= _cost(key, entry)


def _cost(key: str, entry: "Entry") -> int:
    return len(key) + len(entry.content) + sum(len(k) + len(v) for k, v in entry.headers)


class UnstoredKeys:
    """Keys of anonymous GETs last answered by a response that is never stored (a page the view did not
    mark public, such as a form or the sign-in page; an error; a streamed file), so that the next request
    for one is answered without first asking the shared store for what is never there. Only that lookup
    is skipped: a key whose response turns storable is stored when next rendered, and leaves this set."""

    def __init__(self, limit: int = UNSTORED_KEYS):
        self.limit = limit
        self._keys: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        if len(self._keys) >= self.limit:
            self._keys.clear()  # a few lookups more, once; no bookkeeping per request
        self._keys.add(key)

    def discard(self, key: str) -> None:
        self._keys.discard(key)


_entries: LocalEntries | None = None
_unstored = UnstoredKeys()


def entries() -> LocalEntries:
    global _entries
    if _entries is None:
        _entries = LocalEntries(settings.CLIPDESK_PAGE_CACHE_LOCAL_MB * 1024 * 1024)
    return _entries


def unstored_keys() -> UnstoredKeys:
    return _unstored


@receiver(setting_changed)
def _forget(setting, **kwargs) -> None:
    """A test that changes the caches or the bound starts from nothing kept here."""
    global _entries, _unstored
    if setting in {"CACHES", "CLIPDESK_PAGE_CACHE_LOCAL_MB"}:
        _entries, _unstored = None, UnstoredKeys()
