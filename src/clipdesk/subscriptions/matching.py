"""What a subscriber follows, matched against newly published clips.

Topics, people, organisations and channels are matched here, in memory, against facts loaded once
per digest run. Saved searches go through `SavedSearchMatcher`, chosen by dotted path in
`CLIPDESK_SAVED_SEARCH_BACKEND`, so that the search engine can answer them. A saved search only
considers clips the engine has already indexed: a clip published a moment ago and not yet indexed
waits for the next digest rather than being missed.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import and_
from typing import Protocol

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

from clipdesk.archive.models import Clip


class SavedSearchMatcher(Protocol):
    def indexed(self, clip_ids: Collection[int]) -> set[int]:
        """Those of `clip_ids` whose current text the search index holds."""

    def matching(self, query: str, clip_ids: Collection[int]) -> set[int]:
        """Those of `clip_ids` that `query` finds. Only called with indexed clips."""


class DatabaseSavedSearch:
    """The local answer until a search engine is wired in: every term must appear in the title,
    the summary or the English transcript, ignoring case. The database is its own index, so every
    clip is indexed the moment it is published."""

    def indexed(self, clip_ids: Collection[int]) -> set[int]:
        return set(clip_ids)

    def matching(self, query: str, clip_ids: Collection[int]) -> set[int]:
        terms = query.split()
        if not terms or not clip_ids:
            return set()
        conditions = [
            Q(title__icontains=t) | Q(summary__icontains=t) | Q(segments__english_text__icontains=t)
            for t in terms
        ]
        found = Clip.objects.filter(pk__in=clip_ids).filter(reduce(and_, conditions))
        return set(found.values_list("pk", flat=True).distinct())


def saved_search_matcher() -> SavedSearchMatcher:
    return import_string(settings.CLIPDESK_SAVED_SEARCH_BACKEND)()


@dataclass(frozen=True)
class ClipFacts:
    """What following is matched against: a published clip's channel, topics and people."""

    clip_id: int
    sequence: int
    channel_id: int | None
    topic_ids: frozenset[int]
    person_ids: frozenset[int]


@dataclass
class Interests:
    topic_ids: set[int] = field(default_factory=set)
    person_ids: set[int] = field(default_factory=set)
    channel_ids: set[int] = field(default_factory=set)
    queries: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.topic_ids or self.person_ids or self.channel_ids or self.queries)


def load_facts(clip_sequences: dict[int, int]) -> dict[int, ClipFacts]:
    """Facts for those of the clips (id -> publication sequence) that are still published."""
    ids = list(clip_sequences)
    clips = dict(Clip.objects.published().filter(pk__in=ids).values_list("pk", "channel_id"))
    topics: dict[int, set[int]] = {pk: set() for pk in clips}
    people: dict[int, set[int]] = {pk: set() for pk in clips}
    for clip_id, topic_id in Clip.topics.through.objects.filter(clip_id__in=clips).values_list(
        "clip_id", "topic_id"
    ):
        topics[clip_id].add(topic_id)
    # A clip features the people staff linked to it and the people who speak in it (as `featuring`).
    for clip_id, person_id in Clip.people.through.objects.filter(clip_id__in=clips).values_list(
        "clip_id", "person_id"
    ):
        people[clip_id].add(person_id)
    from clipdesk.transcripts.models import Speaker

    for clip_id, person_id in Speaker.objects.filter(clip_id__in=clips, person__isnull=False).values_list(
        "clip_id", "person_id"
    ):
        people[clip_id].add(person_id)
    return {
        pk: ClipFacts(pk, clip_sequences[pk], channel_id, frozenset(topics[pk]), frozenset(people[pk]))
        for pk, channel_id in clips.items()
    }


def followed(facts: ClipFacts, interests: Interests) -> bool:
    return (
        (facts.channel_id is not None and facts.channel_id in interests.channel_ids)
        or not facts.topic_ids.isdisjoint(interests.topic_ids)
        or not facts.person_ids.isdisjoint(interests.person_ids)
    )


class SearchResults:
    """Saved-search answers for one digest run, asked once per distinct query."""

    def __init__(self, matcher: SavedSearchMatcher, clip_ids: Iterable[int]):
        self.matcher = matcher
        self.clip_ids = set(clip_ids)
        self._answers: dict[str, set[int]] = {}

    def __call__(self, query: str) -> set[int]:
        if query not in self._answers:
            self._answers[query] = self.matcher.matching(query, self.clip_ids)
        return self._answers[query]
