"""The search engine interface: what is indexed, what is asked, what comes back. Django-free.

A result is a clip. A clip matches when the query matches the clip as a whole: its title, summary,
names and lines together, so the words of a query may come from different lines; an "exact phrase"
lies within one line (or within the clip's own text); an excluded word excludes every clip that says
it. speaker: and lang: are about lines: with either in the query, the words must be found together in
one line by that speaker (or in that language), and an excluded word keeps out the lines that say it.

Engines return ids and scores; `clipdesk.search.services` turns them into clips and highlighted lines.
"""

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

PUBLISHED = "published"
PUBLIC = frozenset({PUBLISHED})
STAFF = frozenset({PUBLISHED, "review", "draft"})
FACETS = ("channel", "country", "topic", "person", "lang", "year")


@dataclass(frozen=True)
class SegmentDocument:
    segment_id: int
    position: int
    start_ms: int | None
    english: str
    original: str
    language: str  # BCP 47 primary subtag of the original, lowercased: "ar", "fa", "en", or ""
    speaker: str  # the speaker's label, and their person's name and aliases, for speaker:


@dataclass(frozen=True)
class ClipDocument:
    clip_id: int
    number: int | None
    status: str
    title: str
    summary: str
    channel: str  # slug, for the facet
    channel_name: str  # for channel:
    country: str
    topics: tuple[str, ...]  # slugs
    people: tuple[str, ...]  # slugs of the people and organisations it features
    names: tuple[str, ...]  # their names and aliases, searched like the title
    aired_on: dt.date | None
    segments: tuple[SegmentDocument, ...] = ()

    @property
    def about(self) -> str:
        """The clip's own text: title, summary, names."""
        return "\n".join(part for part in (self.title, self.summary, *self.names) if part)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({s.language for s in self.segments if s.language}))


@dataclass(frozen=True)
class Term:
    """A normalized search term. `tokens` are lowercased words; a prefix's last token is the prefix."""

    kind: Literal["word", "phrase", "prefix"]
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    must: tuple[tuple[Term, ...], ...] = ()  # every group must match; any term of a group
    must_not: tuple[Term, ...] = ()
    # speaker: and channel: values, as tokens. A value matches if all its tokens are among the names
    # of the line's speaker (of the clip's channel); any of the values may match.
    speaker: tuple[tuple[str, ...], ...] = ()
    channel: tuple[tuple[str, ...], ...] = ()
    lang: tuple[str, ...] = ()  # any of these original languages

    @property
    def about_lines(self) -> bool:
        """speaker: and lang: make the query one about lines: its words must be in one matching line."""
        return bool(self.speaker or self.lang)

    @property
    def positive_terms(self) -> tuple[Term, ...]:
        return tuple(t for group in self.must for t in group)


@dataclass(frozen=True)
class Filters:
    """Facet selections: any value within a facet, every facet together. All are about clips."""

    channel: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()  # clips with lines in any of these languages
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    clip_ids: frozenset[int] | None = None  # only these clips
    after_number: int | None = None  # only clips whose public number is above this


@dataclass(frozen=True)
class SearchRequest:
    query: Query
    filters: Filters = Filters()
    statuses: frozenset[str] = PUBLIC
    sort: Literal["relevance", "date"] = "relevance"
    offset: int = 0  # in clips
    limit: int = 20  # in clips
    lines_per_clip: int = 3  # best lines returned per clip, among those that contain a term
    facets: bool = False  # also count clips per facet value, and the total


@dataclass
class ClipHit:
    clip_id: int
    score: float
    segment_ids: list[int] = field(default_factory=list)  # best first


@dataclass
class SearchHits:
    clips: list[ClipHit]
    has_more: bool  # more clips after this page
    total: int | None = None  # clips in all, when facets were asked for
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # value, clips; most first


Progress = Callable[[int], None]


class SearchBackend(Protocol):
    """A search engine. Only the worker and `clipdesk reindex` call the writing methods."""

    def index_clip(self, clip: ClipDocument) -> None:
        """Replace everything indexed for `clip.clip_id` with this clip, atomically."""

    def remove_clip(self, clip_id: int) -> None:
        """Forget a clip. Removing a clip that is not indexed does nothing."""

    def rebuild(self, clips: Iterable[ClipDocument], progress: Progress | None = None) -> int:
        """Replace the whole index with `clips`; searches see the old index until it is done.

        Calls `progress(n)` after each clip. Returns the number of clips indexed.
        """

    def search(self, request: SearchRequest) -> SearchHits:
        """Clips matching the request, best (or newest) first, with their best lines."""

    def indexed(self, clip_ids: Collection[int], statuses: frozenset[str] = PUBLIC) -> set[int]:
        """Those of `clip_ids` the index holds with one of `statuses`."""

    def known_words(self, words: Iterable[str]) -> dict[str, int]:
        """Of `words` (normalized, lowercased), those published clips say, with how many clips say each."""
