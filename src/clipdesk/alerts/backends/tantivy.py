"""The embedded engine of the recordings: one tantivy index per ISO week of lines. Django-free.

A week of 100 channels is about 10 million lines; an index per week keeps each one a size tantivy
searches fast, lets retention drop a week by removing its directory, and lets a search limited to a
day or an hour open only the week that holds it. Text is analyzed as in the archive's index
(`clipdesk.search.analysis`): the original in the field of its language's config (English stemmed by
tantivy, Arabic light-stemmed in Python, the others plain), the English draft in the English field,
and both, unstemmed and with positions, in `exact` for "phrases" and prefix*.

As for the archive's index, one process at a time holds a week's writer; the others wait for it.
"""

import datetime as dt
import re
import shutil
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy
from tantivy import Occur
from tantivy import Query as Q

from clipdesk.search.analysis import CONFIGS, analyzer, config_for, engine_text, word_forms
from clipdesk.search.interfaces import Term
from clipdesk.search.normalize import normalize

from ..interfaces import LineDocument, LineHit, LiveHits, LiveSearchBackend, LiveSearchRequest

SCHEMA_VERSION = 1
EXACT = "exact"
WEEK = re.compile(r"(\d{4})-W(\d{2})")


def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(name: str) -> tuple[dt.date, dt.date]:
    """The Monday and the next Monday of a week directory's name."""
    match = WEEK.fullmatch(name)
    assert match is not None
    monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    return monday, monday + dt.timedelta(days=7)


def _tokenizer(config: str) -> str:
    return f"clipdesk_{'plain' if config == EXACT else config}"


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for config in CONFIGS:
        builder.add_text_field(config, tokenizer_name=_tokenizer(config), index_option="freq")
    builder.add_text_field(EXACT, tokenizer_name=_tokenizer(EXACT), index_option="position")
    builder.add_text_field("lang", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_unsigned_field("line_id", indexed=True, fast=True)
    builder.add_unsigned_field("source", indexed=True, fast=True)
    builder.add_integer_field("start", indexed=True, fast=True)  # seconds since the epoch
    builder.add_integer_field("day", fast=True)  # the date's ordinal
    return builder.build()


def document(line: LineDocument) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned("line_id", line.line_id)
    doc.add_unsigned("source", line.source_id)
    doc.add_integer("start", int(line.start.timestamp()))
    doc.add_integer("day", line.day.toordinal())
    if line.language:
        doc.add_text("lang", line.language)
    english, original = normalize(line.english), normalize(line.text)
    if english:
        doc.add_text("english", english)
    if original:
        config = config_for(line.language)
        doc.add_text(config, engine_text(line.text, config))
    doc.add_text(EXACT, f"{english} {original}")
    return doc


class TantivyLiveBackend:
    """`LiveSearchBackend` over weekly tantivy indexes under `directory`."""

    def __init__(self, directory: str | Path, *, lock_timeout: float = 60.0, heap_size: int = 50_000_000):
        self.root = Path(directory) / f"live-v{SCHEMA_VERSION}"
        self.lock_timeout = lock_timeout
        self.heap_size = heap_size
        self.schema = schema()
        self._indexes: dict[str, tantivy.Index] = {}
        self._lock = threading.Lock()

    # Opening and writing -------------------------------------------------------------------------

    def weeks(self) -> list[str]:
        """The weeks indexed, newest first."""
        if not self.root.is_dir():
            return []
        return sorted((p.name for p in self.root.iterdir() if WEEK.fullmatch(p.name)), reverse=True)

    def _open(self, week: str, *, create: bool) -> tantivy.Index | None:
        path = self.root / week
        index = self._indexes.get(week)
        if index is not None and not (path / "meta.json").exists():
            del self._indexes[week]  # removed by retention
            index = None
        if index is None:
            if path.is_dir() and tantivy.Index.exists(str(path)):
                index = tantivy.Index.open(str(path))
            elif create:
                path.mkdir(parents=True, exist_ok=True)
                index = tantivy.Index(self.schema, path=str(path))
            else:
                return None
            for config in CONFIGS:  # tantivy forgets custom analyzers on opening
                index.register_tokenizer(_tokenizer(config), analyzer(config))
            self._indexes[week] = index
        return index

    def _writer(self, index: tantivy.Index, heap_size: int) -> tantivy.IndexWriter:
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return index.writer(heap_size=heap_size, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def index_lines(self, lines: Iterable[LineDocument], *, replace: bool = True) -> int:
        """Index `lines`; with `replace`, an indexed line of the same id is replaced (a bulk load of
        new lines may skip that)."""
        by_week: dict[str, list[LineDocument]] = {}
        for line in lines:
            by_week.setdefault(week_of(line.day), []).append(line)
        count = 0
        with self._lock:
            for week, batch in sorted(by_week.items()):
                index = self._open(week, create=True)
                assert index is not None
                writer = self._writer(index, self.heap_size if len(batch) < 100_000 else 500_000_000)
                try:
                    if replace:
                        ids = sorted({line.line_id for line in batch})
                        writer.delete_documents_by_query(Q.term_set_query(self.schema, "line_id", ids))
                    for line in batch:
                        writer.add_document(document(line))
                    writer.commit()
                    writer.wait_merging_threads()
                except BaseException:
                    writer.rollback()
                    raise
                index.reload()
                count += len(batch)
        return count

    def forget_before(self, day: dt.date) -> None:
        with self._lock:
            for week in self.weeks():
                if week_bounds(week)[1] <= day:
                    self._indexes.pop(week, None)
                    shutil.rmtree(self.root / week, ignore_errors=True)

    # Searching ------------------------------------------------------------------------------------

    def _any(self, queries: list[Q]) -> Q:
        return queries[0] if len(queries) == 1 else Q.boolean_query([(Occur.Should, q) for q in queries])

    def _term(self, term: Term, searcher: tantivy.Searcher | None = None) -> Q:
        if term.kind == "word":
            forms = word_forms(term.tokens[0])
            queries = [
                Q.term_query(self.schema, config, form)
                for config, form in forms.items()
                # A field whose dictionary lacks the word cannot match: leaving it out keeps a lone
                # term query, which tantivy answers with block-max WAND.
                if searcher is None or searcher.doc_freq(config, form)
            ]
            return self._any(queries) if queries else Q.empty_query()
        if term.kind == "prefix":
            return Q.phrase_prefix_query(self.schema, EXACT, list(term.tokens))
        if len(term.tokens) == 1:
            return Q.term_query(self.schema, EXACT, term.tokens[0])
        return Q.phrase_query(self.schema, EXACT, list(term.tokens))

    def query(self, request: LiveSearchRequest, searcher: tantivy.Searcher | None = None) -> Q:
        query = request.query
        clauses = [(Occur.Must, self._any([self._term(t, searcher) for t in group])) for group in query.must]
        clauses += [(Occur.MustNot, self._term(t, searcher)) for t in query.must_not]
        filters = []
        if request.source_ids:
            filters.append(Q.term_set_query(self.schema, "source", sorted(request.source_ids)))
        languages = tuple(request.languages) + tuple(query.lang)
        if languages:
            filters.append(Q.term_set_query(self.schema, "lang", sorted(set(languages))))
        if request.since or request.until:
            low = int(request.since.timestamp()) if request.since else -(2**62)
            high = int(request.until.timestamp()) - 1 if request.until else 2**62
            filters.append(Q.range_query(self.schema, "start", tantivy.FieldType.Integer, low, high))
        if not query.must:
            clauses.append((Occur.Must, Q.all_query()))
        clauses += [(Occur.Must, Q.const_score_query(f, 0.0)) for f in filters]
        if len(clauses) == 1 and clauses[0][0] == Occur.Must:
            return clauses[0][1]  # a lone term query keeps block-max WAND
        return Q.boolean_query(clauses)

    def _weeks_for(self, request: LiveSearchRequest) -> list[str]:
        weeks = self.weeks()
        if request.since or request.until:
            first = request.since.date() if request.since else dt.date.min
            last = request.until.date() if request.until else dt.date.max
            weeks = [w for w in weeks if week_bounds(w)[0] <= last and week_bounds(w)[1] > first]
        return weeks

    def search(self, request: LiveSearchRequest) -> LiveHits:
        weeks = self._weeks_for(request)
        if not weeks:
            return LiveHits()
        need = request.offset + request.limit + 1
        found: list[tuple[float, int, int]] = []  # (order key, line id, day ordinal)
        by_date = request.sort == "date"
        for week in weeks:  # newest first
            index = self._open(week, create=False)
            if index is None:
                continue
            searcher = index.searcher()
            query = self.query(request, searcher)
            if by_date:
                result = searcher.search(query, need, count=False, order_by_field="start")
            else:
                result = searcher.search(query, need, count=False)
            addresses = [address for _, address in result.hits]
            ids = searcher.fast_field_values("line_id", addresses)
            days = searcher.fast_field_values("day", addresses)
            for (key, _), line_id, day in zip(result.hits, ids, days, strict=True):
                found.append((float(key), int(line_id or 0), int(day or 1)))
            if by_date and len(found) >= need:
                break  # older weeks hold only older lines
        found.sort(key=lambda hit: hit[0], reverse=True)
        page = found[request.offset : request.offset + request.limit]
        hits = [
            LineHit(line_id, dt.date.fromordinal(day), 0.0 if by_date else key) for key, line_id, day in page
        ]
        return LiveHits(lines=hits, has_more=len(found) > request.offset + request.limit)


if TYPE_CHECKING:
    _backend: type[LiveSearchBackend] = TantivyLiveBackend
