"""Names that every search needs, kept in memory: aliases of people and organisations (to widen a
query), and the display names of facet values. A search must not scan the people table.

Each process reads them at most every `TTL` seconds; saving a person, alias, channel or topic in
this process forgets them at once (see `receivers`), and other processes catch up within `TTL`.
"""

import threading
import time
from dataclasses import dataclass

from clipdesk.archive.models import Channel, Person, PersonAlias, Topic

TTL = 300


@dataclass(frozen=True)
class Names:
    alternatives: dict[str, list[str]]  # a name or alias, lowercased → the entity's other names
    labels: dict[str, dict[str, str]]  # facet → slug → display name


def _load() -> Names:
    people: dict[int, list[str]] = {}
    person_labels = {}
    for pk, slug, name in Person.objects.values_list("pk", "slug", "name"):
        people[pk] = [name]
        person_labels[slug] = name
    for pk, name in PersonAlias.objects.values_list("person_id", "name"):
        people.setdefault(pk, []).append(name)
    alternatives: dict[str, list[str]] = {}
    for group in people.values():
        for name in group:
            others = [n for n in group if n.lower() != name.lower()]
            if others:
                alternatives.setdefault(name.strip().lower(), []).extend(others)
    labels = {
        "person": person_labels,
        "channel": dict(Channel.objects.values_list("slug", "name")),
        "topic": dict(Topic.objects.values_list("slug", "name")),
    }
    return Names(alternatives, labels)


class _Cache:
    def __init__(self):
        self._names: Names | None = None
        self._loaded = 0.0
        self._lock = threading.Lock()

    def get(self) -> Names:
        names = self._names
        if names is None or time.monotonic() - self._loaded > TTL:
            with self._lock:
                names, self._loaded = _load(), time.monotonic()
                self._names = names
        return names

    def forget(self, *args, **kwargs) -> None:
        self._names = None


cache = _Cache()
