"""Searching the archive: the one entry point for the page, the CLI, subscriptions and the API.

`search()` parses the query, widens names to their aliases, asks the engine chosen in settings, and
turns what the engine returns into clips from the database with highlighted lines. The engine is
`CLIPDESK_SEARCH_BACKEND` (a dotted path) or, when that is empty, chosen by the database: PostgreSQL
full text on PostgreSQL, the embedded tantivy index under `CLIPDESK_SEARCH_DIR` otherwise.
"""

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.urls import get_resolver, get_script_prefix, get_urlconf
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info

from clipdesk.archive.models import Channel, ChannelDisplay, Clip, ClipDisplay, format_duration
from clipdesk.transcripts.models import Segment, Speaker

from . import names, suggest
from .analysis import build_query
from .highlight import Highlighter
from .interfaces import FACETS, PUBLIC, STAFF, Filters, Query, SearchBackend, SearchHits, SearchRequest
from .querylang import ParsedQuery, parse

log = logging.getLogger(__name__)

TANTIVY = "clipdesk.search.backends.tantivy.TantivyBackend"
POSTGRES = "clipdesk.search.backends.postgres.PostgresBackend"
SORTS = ("relevance", "date")

_backends: dict[tuple[str, str], SearchBackend] = {}


def search_directory() -> Path:
    return Path(settings.CLIPDESK_SEARCH_DIR)


def backend_path() -> str:
    return settings.CLIPDESK_SEARCH_BACKEND or (POSTGRES if connection.vendor == "postgresql" else TANTIVY)


def get_backend() -> SearchBackend:
    """The configured engine, one per process (the tantivy one keeps its index open)."""
    key = (backend_path(), str(search_directory()))
    if key not in _backends:
        _backends[key] = import_string(key[0])(directory=Path(key[1]))
    return _backends[key]


# Results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """A matching line of a result, highlighted, with the address of its moment in the clip."""

    segment_id: int
    clip_id: int
    position: int
    start_ms: int | None
    speaker: str
    english_text: str
    original_text: str
    original_language: str
    english_html: SafeString
    original_html: SafeString
    url: str  # the clip page at this moment (?t=seconds), or at this line when it has no time

    @property
    def seconds(self) -> int | None:
        return None if self.start_ms is None else self.start_ms // 1000

    @property
    def timestamp(self) -> str:
        return format_duration(self.start_ms)

    @property
    def segment(self) -> Segment:
        """The line as a `Segment` holding what was read for it (its speaker is in `speaker`)."""
        return Segment(
            pk=self.segment_id,
            clip_id=self.clip_id,
            position=self.position,
            start_ms=self.start_ms,
            english_text=self.english_text,
            original_text=self.original_text,
            original_language=self.original_language,
        )

    @property
    def label(self) -> str:
        """The timestamp, or "line 3" for a line without a time."""
        return self.timestamp or f"line {self.position + 1}"


@dataclass(frozen=True, slots=True)
class ChannelListing(ChannelDisplay):
    """A result's channel, read as plain columns; it prints as the `Channel` model does."""

    name: str
    country: str


@dataclass(frozen=True)
class Listing(ClipDisplay):
    """What a result shows of its clip, read as plain columns: building twenty `Clip` models (with
    their channels) costs more than the rest of the search page's reads together. Its reference,
    address and status are the model's own (`ClipDisplay`), and `search/_clip.html` prints either."""

    pk: int
    number: int | None
    title: str
    slug: str
    summary: str
    aired_on: dt.date | None
    status: str
    channel: ChannelListing | None


class _Models:
    """The `Clip` models of one page of results, read at the first access, all in one query."""

    def __init__(self, ids: list[int]):
        self.ids = ids
        self._clips: dict[int, Clip] | None = None

    def get(self, pk: int) -> Clip:
        if self._clips is None:
            self._clips = Clip.objects.select_related("channel").in_bulk(self.ids)
        return self._clips[pk]


@dataclass
class ClipResult:
    """A clip found: what the results show of it (`listing`), its address, and its best lines."""

    listing: Listing
    score: float
    url: str
    lines: list[Line] = field(default_factory=list)
    models: _Models | None = field(default=None, repr=False, compare=False)

    @property
    def clip(self) -> Clip:
        """The clip as a model, for callers that need more than the listing (the API, the CLI).
        The first access reads the models of every result of the search at once."""
        return (self.models or _Models([self.listing.pk])).get(self.listing.pk)


@dataclass(slots=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    """What `search()` returns. `total` is the number of matching clips when facets were counted."""

    query: str
    parsed: ParsedQuery
    engine_query: Query
    notes: list[str]
    clips: list[ClipResult]
    has_more: bool
    total: int | None
    page: int
    page_size: int
    sort: str
    filters: Filters
    include_unpublished: bool
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None  # "did you mean": the query with its unknown words corrected

    @property
    def num_pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.has_more

    @property
    def highest_number(self) -> int | None:
        """The highest public number among these clips: a saved search's next `since_sequence`."""
        return max((r.listing.number for r in self.clips if r.listing.number), default=None)


# Searching ---------------------------------------------------------------------------------------------


def alternatives(parsed: ParsedQuery) -> dict[str, list[str]]:
    """Other names for the words and phrases of a query that name a person or organisation.

    "Hezbollah" → ["Hizbullah", "Hizballah"] when those are the organisation's name and aliases.
    """
    typed = {a.text.strip().lower() for g in parsed.groups for a in g if a.kind != "prefix"}
    typed |= {a.text.strip().lower() for a in parsed.excluded if a.kind != "prefix"}
    if not typed:
        return {}
    known = names.cache.get().alternatives
    return {t: known[t] for t in typed if t in known}


def prepare(query: str) -> tuple[ParsedQuery, Query, list[str]]:
    """The parsed query, the engine query with aliases, and the notes for the reader."""
    parsed = parse(query)
    built, notes = build_query(parsed, alternatives(parsed))
    return parsed, built, parsed.notes + notes + _shared_channel_names(parsed.channel)


def _shared_channel_names(values: list[str]) -> list[str]:
    """Channel names are unique only within a country: say when channel: names several channels
    (all of them are searched) and how to pick one."""
    notes = []
    for value in values:
        channels = list(Channel.objects.filter(name__iexact=value.strip()).order_by("country"))
        if len(channels) > 1:
            listed = ", ".join(c.source_label for c in channels)
            notes.append(
                f'channel:"{value}" names {len(channels)} channels ({listed}): clips of all of them are '
                "searched; choose one with the Country filter."
            )
    return notes


def statuses_for(user, include_unpublished: bool) -> frozenset[str]:
    """Drafts and clips in review only for staff, or for a trusted local process (`user=None`)."""
    allowed = user is None or (user.is_authenticated and user.is_staff)
    return STAFF if include_unpublished and allowed else PUBLIC


def search(
    query: str,
    *,
    user=None,
    filters: Filters | None = None,
    include_unpublished: bool = False,
    since_sequence: int | None = None,
    clip_ids: Collection[int] | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int | None = None,
    facets: bool = True,
) -> SearchResults:
    """Search the archive. Never raises for what a reader typed: problems come back as `notes`.

    - `user`: the reader; drafts and clips in review are searched only for staff who ask for them with
      `include_unpublished`. `None` is a trusted local process (the CLI, a worker).
    - `filters`: facet selections (`interfaces.Filters`).
    - `since_sequence`: only clips whose public number is above it (numbers only go up, so a saved
      search passes the `highest_number` of its previous results).
    - `clip_ids`: only these clips.
    - `sort`: "relevance" or "date" (newest first); a query with no words is always by date.
    - `page` counts from 1; `page_size` defaults to CLIPDESK_PAGE_SIZE.
    - `facets`: also count clips per channel, country, topic, person, language and year, and the total.
    """
    filters = filters or Filters()
    if since_sequence is not None:
        filters = replace(filters, after_number=since_sequence)
    if clip_ids is not None:
        filters = replace(filters, clip_ids=frozenset(clip_ids))
    page_size = page_size or settings.CLIPDESK_PAGE_SIZE
    page = max(1, page)
    sort = sort if sort in SORTS else "relevance"
    parsed, built, notes = prepare(query)
    if not built.must:
        sort = "date"
    statuses = statuses_for(user, include_unpublished)
    results = SearchResults(
        query=query,
        parsed=parsed,
        engine_query=built,
        notes=notes,
        clips=[],
        has_more=False,
        total=0 if facets else None,
        page=page,
        page_size=page_size,
        sort=sort,
        filters=filters,
        include_unpublished=statuses != PUBLIC,
    )
    if parsed.is_empty and filters == Filters():
        return results  # nothing asked: no results rather than the whole archive
    request = SearchRequest(
        query=built,
        filters=filters,
        statuses=statuses,
        sort=sort,
        offset=(page - 1) * page_size,
        limit=page_size,
        facets=facets,
    )
    backend = get_backend()
    try:
        hits = backend.search(request)
        if not hits.clips and page == 1:
            results.suggestion = suggest.suggestion(query, parsed, backend.known_words)
    except (ValueError, DatabaseError):  # a query the engine refused: say so rather than fail
        log.exception("search engine refused %r", query)
        results.notes.append("This search could not be run; try fewer or simpler words.")
        return results
    results.clips = _hydrate(hits, built, statuses)
    results.has_more, results.total = hits.has_more, hits.total
    results.facets = _label_facets(hits, filters)
    return results


# Reading what the engine found ----------------------------------------------------------------------
#
# In SQL rather than through the ORM: for twenty clips and their lines, building the queries and the
# models costs several times running the queries, and these are the hottest reads of the search page.


def _select(model, alias: str, names: tuple[str, ...]) -> str:
    q = connection.ops.quote_name
    return ", ".join(f"{alias}.{q(model._meta.get_field(name).column)}" for name in names)


def _in(count: int) -> str:
    return f"IN ({', '.join(['%s'] * count)})"


def _fetch(sql: str, ids: list[int]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return cursor.fetchall()


@lru_cache(maxsize=4)  # per database vendor, whose quoting it uses
def _listing_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    clip, channel = Clip._meta, Channel._meta
    columns = _select(Clip, "c", ("id", "number", "title", "slug", "summary", "aired_on", "status"))
    return (
        f"SELECT {columns}, {_select(Channel, 'h', ('name', 'country'))} FROM {q(clip.db_table)} c "
        f"LEFT JOIN {q(channel.db_table)} h ON h.{q(channel.pk.column)} = c.{q(clip.get_field('channel').column)} "
        f"WHERE c.{q(clip.pk.column)} "
    )


def _listings(clip_ids: list[int], statuses: frozenset[str]) -> dict[int, Listing]:
    """What the results show of these clips, for those whose status is one of `statuses`.

    By id only: with a status condition as well, SQLite prefers the status index and reads every
    published clip. Twenty rows are checked here instead.
    """
    if not clip_ids:
        return {}
    rows = _fetch(_listing_sql(connection.vendor) + _in(len(clip_ids)), clip_ids)
    return {
        row[0]: Listing(*row[:7], channel=ChannelListing(row[7], row[8]) if row[7] is not None else None)
        for row in rows
        if row[6] in statuses
    }


@lru_cache(maxsize=4)  # per database vendor, whose quoting it uses
def _lines_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    segment, speaker = Segment._meta, Speaker._meta
    columns = _select(
        Segment,
        "s",
        ("id", "clip", "position", "start_ms", "english_text", "original_text", "original_language"),
    )
    return (
        f"SELECT {columns}, {_select(Speaker, 'p', ('label',))} FROM {q(segment.db_table)} s "
        f"LEFT JOIN {q(speaker.db_table)} p ON p.{q(speaker.pk.column)} = s.{q(segment.get_field('speaker').column)} "
        f"WHERE s.{q(segment.pk.column)} "
    )


def _lines(segment_ids: list[int]) -> dict[int, tuple]:
    """(id, clip id, position, start ms, English, original, language, speaker label) of these lines."""
    if not segment_ids:
        return {}
    return {row[0]: row for row in _fetch(_lines_sql(connection.vendor) + _in(len(segment_ids)), segment_ids)}


@lru_cache(maxsize=4096)
def _address(listing: Listing, resolver, prefix: str) -> str:
    """`listing.get_absolute_url()`, kept per clip and URL configuration (the resolver and the script
    prefix reverse() reads): reverse() costs as much as the rest of a result, twenty times a page."""
    return listing.get_absolute_url()


def _hydrate(hits: SearchHits, query: Query, statuses: frozenset[str]) -> list[ClipResult]:
    """Clips and lines from the database, in the engine's order. The database has the last word on
    what may be shown: a clip withdrawn a moment ago and not yet out of the index is left out."""
    listings = _listings([h.clip_id for h in hits.clips], statuses)
    models = _Models(list(listings))
    segments = _lines([s for h in hits.clips if h.clip_id in listings for s in h.segment_ids])
    highlighter = Highlighter(query)
    resolver, prefix = get_resolver(get_urlconf()), get_script_prefix()
    found = []
    for hit in hits.clips:
        listing = listings.get(hit.clip_id)
        if listing is None:
            continue
        url = _address(listing, resolver, prefix)
        result = ClipResult(listing=listing, score=hit.score, url=url, models=models)
        for segment_id in hit.segment_ids:
            row = segments.get(segment_id)
            if row is not None and row[1] == listing.pk:
                line = _line(row, url, highlighter)
                if line is not None:
                    result.lines.append(line)
        found.append(result)
    return found


def _line(row: tuple, clip_url: str, highlighter: Highlighter) -> Line | None:
    """The line of a `_lines` row, highlighted; None when it no longer says what was searched for."""
    segment_id, clip_id, position, start_ms, english_text, original_text, language, speaker = row
    english, in_english = highlighter.html(english_text)
    original, in_original = highlighter.html(original_text)
    if highlighter and not (in_english or in_original):
        return None  # the engine's line no longer says it (the index lags an edit)
    # The clip page plays from ?t=; a line without a time is found by its anchor.
    moment = f"?t={start_ms // 1000}" if start_ms is not None else f"#line-{position + 1}"
    return Line(
        segment_id=segment_id,
        clip_id=clip_id,
        position=position,
        start_ms=start_ms,
        speaker=speaker or "",
        english_text=english_text,
        original_text=original_text,
        original_language=language,
        # The highlighter escapes the text; only its own <mark> tags are markup.
        english_html=mark_safe(english),
        original_html=mark_safe(original),
        url=f"{clip_url}{moment}",
    )


@lru_cache(maxsize=256)
def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def _label_facets(hits: SearchHits, filters: Filters) -> dict[str, list[FacetValue]]:
    if not hits.facets:
        return {}
    labels = {
        **names.cache.get().labels,
        "lang": {code: language_name(code) for code, _ in hits.facets["lang"]},
    }
    selected = {name: set(getattr(filters, name, ())) for name in FACETS}
    return {
        name: [
            FacetValue(value, labels.get(name, {}).get(value, value), count, value in selected[name])
            for value, count in hits.facets.get(name, [])
        ]
        for name in FACETS
    }


def matching_clip_ids(
    query: str,
    *,
    clip_ids: Collection[int] | None = None,
    include_unpublished: bool = False,
    limit: int = 1000,
) -> set[int]:
    """The ids of up to `limit` clips that `query` finds, without loading them: for saved searches."""
    parsed, built, _ = prepare(query)
    if parsed.is_empty:
        return set()
    filters = Filters(clip_ids=frozenset(clip_ids) if clip_ids is not None else None)
    request = SearchRequest(query=built, filters=filters, statuses=STAFF if include_unpublished else PUBLIC,
                            sort="date", limit=limit, lines_per_clip=0)  # fmt: skip
    try:
        return {hit.clip_id for hit in get_backend().search(request).clips}
    except (ValueError, DatabaseError):
        log.exception("search engine refused %r", query)
        return set()


class IndexedSavedSearch:
    """Saved searches answered by the search index (the subscriptions' `SavedSearchMatcher`)."""

    def indexed(self, clip_ids: Collection[int]) -> set[int]:
        return get_backend().indexed(clip_ids, PUBLIC)

    def matching(self, query: str, clip_ids: Collection[int]) -> set[int]:
        return matching_clip_ids(query, clip_ids=clip_ids, limit=max(1, len(clip_ids)))
