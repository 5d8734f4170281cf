"""Searching the recordings: staff search the live lines of every channel, in the archive's query
language, with filters for channel, language, day and hour; each result opens the channel's timeline
at that moment. A separate scope from the archive: nothing here is public.

The engine is `CLIPDESK_LIVE_SEARCH_BACKEND` (a dotted path) or, when that is empty, chosen by the
database: full text on the live lines' table on PostgreSQL, weekly tantivy indexes under
`CLIPDESK_LIVE_SEARCH_DIR` otherwise, fed as lines are stored (`index_lines`, from the receiver of
`lines_stored`) and rebuilt from the table by `clipdesk live-index`.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from clipdesk.recording.models import ChannelSource
from clipdesk.search.highlight import Highlighter
from clipdesk.search.normalize import tokens
from clipdesk.search.services import prepare

from .interfaces import LineDocument, LiveSearchBackend, LiveSearchRequest
from .matching import primary
from .models import LiveLine

TANTIVY = "clipdesk.alerts.backends.tantivy.TantivyLiveBackend"
POSTGRES = "clipdesk.alerts.backends.postgres.PostgresLiveBackend"
SORTS = ("date", "relevance")

_backends: dict[tuple[str, str], LiveSearchBackend] = {}


def backend_path() -> str:
    return settings.CLIPDESK_LIVE_SEARCH_BACKEND or (
        POSTGRES if connection.vendor == "postgresql" else TANTIVY
    )


def get_backend() -> LiveSearchBackend:
    key = (backend_path(), str(settings.CLIPDESK_LIVE_SEARCH_DIR))
    if key not in _backends:
        _backends[key] = import_string(key[0])(directory=Path(key[1]))
    return _backends[key]


def document(line: LiveLine) -> LineDocument:
    return LineDocument(
        line_id=line.pk,
        day=line.day,
        source_id=line.source_id,
        start=line.start,
        language=primary(line.language),
        text=line.text,
        english=line.english,
    )


def index_lines(line_ids: Sequence[int]) -> int:
    """Index these stored lines (for an engine that keeps its own index)."""
    if backend_path() == POSTGRES or not line_ids:
        return 0
    lines = LiveLine.objects.filter(pk__in=list(line_ids)).order_by()
    return get_backend().index_lines(document(line) for line in lines)


def rebuild(
    first: dt.date, last: dt.date, *, progress: Callable[[int], None] | None = None, batch: int = 20_000
) -> int:
    """Index again every line of the days `first` to `last` (UTC), a day at a time."""
    if backend_path() == POSTGRES:
        return 0
    backend = get_backend()
    count = 0
    day = first
    while day <= last:
        rows = LiveLine.objects.filter(day=day).order_by("pk").iterator(chunk_size=batch)
        chunk: list[LineDocument] = []
        for line in rows:
            chunk.append(document(line))
            if len(chunk) >= batch:
                count += backend.index_lines(chunk)
                chunk = []
                if progress:
                    progress(count)
        if chunk:
            count += backend.index_lines(chunk)
            if progress:
                progress(count)
        day += dt.timedelta(days=1)
    return count


# Results ----------------------------------------------------------------------------------------------


def moment_param(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timeline_url(slug: str, moment: dt.datetime) -> str:
    """The channel's timeline, playing from `moment`."""
    return f"{reverse('recording:timeline', args=[slug])}?t={moment_param(moment)}"


@dataclass
class LiveResult:
    line: LiveLine
    original_html: SafeString
    english_html: SafeString
    url: str  # the timeline at the line's start

    @property
    def channel(self):
        return self.line.source.channel


@dataclass
class LiveResults:
    query: str
    notes: list[str]
    results: list[LiveResult] = field(default_factory=list)
    has_more: bool = False
    page: int = 1
    searched: bool = False  # False when the query had nothing to search for

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _channel_sources(values: Iterable[tuple[str, ...]]) -> set[int]:
    """Sources whose channel's name holds every token of one of `values` (channel:)."""
    wanted = list(values)
    found = set()
    for pk, name in ChannelSource.objects.values_list("pk", "channel__name"):
        words = set(tokens(name))
        if any(set(v) <= words for v in wanted):
            found.add(pk)
    return found


def span(day: dt.date | None, hour: int | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The UTC span of a day, or of an hour of it (of today when no day is given)."""
    if hour is not None:
        day = day or dt.datetime.now(dt.UTC).date()
        start = dt.datetime.combine(day, dt.time(hour), dt.UTC)
        return start, start + dt.timedelta(hours=1)
    if day is not None:
        start = dt.datetime.combine(day, dt.time(0), dt.UTC)
        return start, start + dt.timedelta(days=1)
    return None, None


def search(
    query: str,
    *,
    sources: Sequence[int] = (),
    languages: Sequence[str] = (),
    day: dt.date | None = None,
    hour: int | None = None,
    sort: str = "date",
    page: int = 1,
    page_size: int = 20,
) -> LiveResults:
    """Live lines matching `query` and the filters, newest (or best) first, highlighted."""
    _, built, notes = prepare(query)
    results = LiveResults(query=query, notes=notes, page=page)
    if query.strip() and not built.must and not (built.lang or built.channel):
        return results
    if built.speaker:
        results.notes.append("speaker: has no effect on live transcripts: they name no speakers.")
        built = type(built)(must=built.must, must_not=built.must_not, channel=built.channel, lang=built.lang)
    source_ids = set(sources)
    if built.channel:
        named = _channel_sources(built.channel)
        source_ids = source_ids & named if source_ids else named
        if not source_ids:
            results.searched = True
            return results
    since, until = span(day, hour)
    request = LiveSearchRequest(
        query=built,
        source_ids=tuple(sorted(source_ids)),
        languages=tuple(languages),
        since=since,
        until=until,
        sort="relevance" if sort == "relevance" else "date",
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    hits = get_backend().search(request)
    results.searched, results.has_more = True, hits.has_more
    wanted = [hit.line_id for hit in hits.lines]
    days = sorted({hit.day for hit in hits.lines})
    rows = LiveLine.objects.filter(pk__in=wanted, day__in=days).select_related("source__channel").in_bulk()
    highlighter = Highlighter(built)
    for hit in hits.lines:
        line = rows.get(hit.line_id)
        if line is None:
            continue  # dropped by retention since it was indexed
        original, _ = highlighter.html(line.text)
        english, _ = highlighter.html(line.english)
        results.results.append(
            LiveResult(
                line=line,
                # The highlighter escapes the text; only its own <mark> tags are markup.
                original_html=mark_safe(original),
                english_html=mark_safe(english),
                url=timeline_url(line.source.channel.slug, line.start),
            )
        )
    return results
