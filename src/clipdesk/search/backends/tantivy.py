"""The embedded engine: a tantivy index in a directory, BM25 with block-max WAND. Django-free.

Two kinds of document live in the index:

- a clip document per clip, holding the clip's title, summary and names and all its lines, so that
  a page of results is the top of one ranked search, exactly as tantivy returns it;
- a line document per transcript line (segment), holding the line's text, its speaker and language
  and the clip's facet values, to find a clip's best lines and to answer speaker: and lang:.

Text sits in fields named `<scope>_<config>`: scope `clip` or `line`, config `english`, `arabic` or
`plain` (words, analyzed per language, see `analysis`) or `exact` (unstemmed, with positions, for "phrases"
and prefix*). Clips that are not published use the same fields with a `draft_` prefix: a public
search is then a plain term query, which tantivy answers with block-max WAND without ever scoring an
unpublished clip, and a forgotten status filter could not leak a draft.

Only one process may hold the index writer; writers wait for it (`lock_timeout`) instead of failing,
so the worker, a second worker thread and `clipdesk reindex` take turns. Searchers never write.
"""

import threading
import time
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, overload

import tantivy
from tantivy import Occur
from tantivy import Query as Q

from ..analysis import CONFIGS, analyzer, config_for, engine_text, word_forms
from ..interfaces import (
    FACETS,
    PUBLIC,
    PUBLISHED,
    STAFF,
    ClipDocument,
    ClipHit,
    Progress,
    SearchBackend,
    SearchHits,
    SearchRequest,
    Term,
)
from ..normalize import normalize

SCHEMA_VERSION = 2  # 2: Arabic lines in fields of their own, stemmed in Python
EXACT = "exact"
RAW_FIELDS = ("kind", "status", "channel", "country", "topic", "person", "lang", "langs")
# Facet → field. `langs` holds every language of a clip's lines; `lang`, a line's own language.
FACET_FIELDS = {
    "channel": "channel",
    "country": "country",
    "topic": "topic",
    "person": "person",
    "lang": "langs",
}
FACET_SIZE = 12  # values per facet, most clips first
DATEKEY_SHIFT = 2**33  # datekey = date ordinal * 2**33 + clip id: below 2**53, exact in float aggregations


class IndexBusy(RuntimeError):
    """Another process held the index writer for longer than `lock_timeout`."""


def _unsigned(values: list[int | float | bool | None]) -> list[int]:
    """The values of an unsigned fast field, which tantivy's types do not tell from other fields'."""
    return cast(list[int], values)


def _tokenizer(config: str) -> str:
    return f"clipdesk_{'plain' if config == EXACT else config}"


def text_field(scope: str, config: str, status: str) -> str:
    """Where text of one config goes, for a clip (scope "clip") or a line (scope "line") of this status."""
    return f"{scope}_{config}" if status == PUBLISHED else f"draft_{scope}_{config}"


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for status in (PUBLISHED, "draft"):
        for scope in ("clip", "line"):
            for config in CONFIGS:
                name = text_field(scope, config, status)
                builder.add_text_field(name, tokenizer_name=_tokenizer(config), index_option="freq")
            name = text_field(scope, EXACT, status)
            builder.add_text_field(name, tokenizer_name=_tokenizer(EXACT), index_option="position")
    builder.add_text_field("speaker", tokenizer_name=_tokenizer(EXACT), index_option="basic")
    builder.add_text_field("channel_words", tokenizer_name=_tokenizer(EXACT), index_option="basic")
    for name in RAW_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_unsigned_field("clip_id", indexed=True, fast=True, stored=True)
    builder.add_unsigned_field("segment_id", fast=True, stored=True)
    builder.add_unsigned_field("number", indexed=True, fast=True)
    builder.add_integer_field("aired", indexed=True, fast=True)
    builder.add_integer_field("year", fast=True)
    builder.add_unsigned_field("datekey", fast=True)
    return builder.build()


def _clip_values(doc: tantivy.Document, clip: ClipDocument, kind: str) -> None:
    ordinal = clip.aired_on.toordinal() if clip.aired_on else 0
    doc.add_text("kind", kind)
    doc.add_unsigned("clip_id", clip.clip_id)
    doc.add_unsigned("number", clip.number or 0)
    doc.add_integer("aired", ordinal)
    doc.add_integer("year", clip.aired_on.year if clip.aired_on else 0)
    doc.add_unsigned("datekey", ordinal * DATEKEY_SHIFT + clip.clip_id)
    doc.add_text("status", clip.status)
    for name, values in (("channel", (clip.channel,)), ("country", (clip.country,)), ("topic", clip.topics)):
        for value in values:
            if value:
                doc.add_text(name, value)
    for value in clip.people:
        doc.add_text("person", value)
    for language in clip.languages:
        doc.add_text("langs", language)
    if clip.channel_name:
        doc.add_text("channel_words", normalize(clip.channel_name))


def documents(clip: ClipDocument) -> list[tantivy.Document]:
    """The clip document followed by one document per line."""
    status = clip.status
    about = normalize(clip.about)
    whole = tantivy.Document()
    _clip_values(whole, clip, "clip")
    whole.add_unsigned("segment_id", 0)
    if about:
        whole.add_text(text_field("clip", "english", status), about)
        whole.add_text(text_field("clip", EXACT, status), about)
    docs = [whole]
    for segment in clip.segments:
        english, original = normalize(segment.english), normalize(segment.original)
        line = tantivy.Document()
        _clip_values(line, clip, "line")
        line.add_unsigned("segment_id", segment.segment_id)
        if segment.language:
            line.add_text("lang", segment.language)
        if segment.speaker:
            line.add_text("speaker", normalize(segment.speaker))
        for scope, doc in (("clip", whole), ("line", line)):
            if english:
                doc.add_text(text_field(scope, "english", status), english)
            if original:
                config = config_for(segment.language)
                doc.add_text(text_field(scope, config, status), engine_text(segment.original, config))
            if english or original:
                # One value per line: a phrase never runs from one line into the next.
                doc.add_text(text_field(scope, EXACT, status), f"{english} {original}")
        docs.append(line)
    return docs


class TantivyBackend:
    """`SearchBackend` over a tantivy index under `directory`."""

    def __init__(self, directory: str | Path, *, lock_timeout: float = 60.0, heap_size: int = 50_000_000):
        self.path = Path(directory) / f"tantivy-v{SCHEMA_VERSION}"
        self.lock_timeout = lock_timeout
        self.heap_size = heap_size
        self.schema = schema()
        self._index: tantivy.Index | None = None
        self._lock = threading.Lock()  # one writer per process; other processes wait on tantivy's lock

    # Opening and writing ----------------------------------------------------------------------------

    @overload
    def _open(self, *, create: Literal[True]) -> tantivy.Index: ...
    @overload
    def _open(self, *, create: Literal[False]) -> tantivy.Index | None: ...
    def _open(self, *, create: bool) -> tantivy.Index | None:
        if self._index is not None and not (self.path / "meta.json").exists():
            self._index = None  # the directory was removed (to rebuild it): start again
        if self._index is None:
            if self.path.is_dir() and tantivy.Index.exists(str(self.path)):
                index = tantivy.Index.open(str(self.path))
            elif create:
                self.path.mkdir(parents=True, exist_ok=True)
                index = tantivy.Index(self.schema, path=str(self.path))
            else:
                return None
            # tantivy forgets custom analyzers when an index is opened: register them every time.
            for config in CONFIGS:
                index.register_tokenizer(_tokenizer(config), analyzer(config))
            self._index = index
        return self._index

    def _writer(self, heap_size: int) -> tantivy.IndexWriter:
        index = self._open(create=True)
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return index.writer(heap_size=heap_size, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise IndexBusy(
                        f"The search index at {self.path} stayed locked by another writer."
                    ) from exc
                time.sleep(0.05)

    def _commit(self, writer: tantivy.IndexWriter) -> None:
        writer.commit()
        writer.wait_merging_threads()  # releases the lock and leaves no merge half done
        if self._index is not None:  # opened by _writer
            self._index.reload()

    def _clip(self, clip_id: int) -> Q:
        # delete_documents_by_term would read the id as a signed integer and match nothing.
        return Q.term_query(self.schema, "clip_id", clip_id)

    def index_clip(self, clip: ClipDocument) -> None:
        docs = documents(clip)
        with self._lock:
            writer = self._writer(self.heap_size)
            writer.delete_documents_by_query(self._clip(clip.clip_id))
            for doc in docs:
                writer.add_document(doc)
            self._commit(writer)

    def remove_clip(self, clip_id: int) -> None:
        with self._lock:
            if self._open(create=False) is None:
                return
            writer = self._writer(self.heap_size)
            writer.delete_documents_by_query(self._clip(clip_id))
            self._commit(writer)

    def rebuild(self, clips: Iterable[ClipDocument], progress: Progress | None = None) -> int:
        count = 0
        with self._lock:
            writer = self._writer(max(self.heap_size, 200_000_000))
            try:
                writer.delete_all_documents()
                for clip in clips:
                    for doc in documents(clip):
                        writer.add_document(doc)
                    count += 1
                    if progress:
                        progress(count)
            except BaseException:
                writer.rollback()
                raise
            self._commit(writer)
        return count

    # Building queries -------------------------------------------------------------------------------

    def _any(self, queries: list[Q]) -> Q:
        return queries[0] if len(queries) == 1 else Q.boolean_query([(Occur.Should, q) for q in queries])

    def _term(self, term: Term, scope: str, statuses: frozenset[str]) -> Q:
        """The term in the text fields of `scope`, for published clips, the others, or both."""
        kinds = ([PUBLISHED] if PUBLISHED in statuses else []) + (["draft"] if statuses - PUBLIC else [])
        queries = []
        for kind in kinds:
            exact = text_field(scope, EXACT, kind)
            if term.kind == "word":
                forms = word_forms(term.tokens[0])
                queries += [
                    Q.term_query(self.schema, text_field(scope, c, kind), f) for c, f in forms.items()
                ]
            elif term.kind == "prefix":
                queries.append(Q.phrase_prefix_query(self.schema, exact, list(term.tokens)))
            elif len(term.tokens) == 1:
                queries.append(Q.term_query(self.schema, exact, term.tokens[0]))
            else:
                queries.append(Q.phrase_query(self.schema, exact, list(term.tokens)))
        return self._any(queries)

    def _names(self, field: str, values: tuple[tuple[str, ...], ...]) -> Q:
        return self._any(
            [Q.boolean_query([(Occur.Must, Q.term_query(self.schema, field, t)) for t in v]) for v in values]
        )

    def _filters(self, request: SearchRequest, scope: str) -> list[Q]:
        """Conditions that do not score: status, speaker:, channel:, lang:, facet selections."""
        query, filters, statuses = request.query, request.filters, request.statuses
        found = []
        # The text fields already tell published clips from the others; the status field is needed
        # to tell drafts from clips in review, and for a search without words.
        if not query.must or statuses not in (PUBLIC, STAFF):
            found.append(Q.term_query(self.schema, "kind", scope))
            found.append(Q.term_set_query(self.schema, "status", sorted(statuses)))
        if query.speaker:
            found.append(self._names("speaker", query.speaker))
        if query.channel:
            found.append(self._names("channel_words", query.channel))
        if query.lang:
            found.append(Q.term_set_query(self.schema, "lang", list(query.lang)))
        for name, field in FACET_FIELDS.items():
            if values := getattr(filters, name):
                found.append(Q.term_set_query(self.schema, field, list(values)))
        if filters.date_from or filters.date_to:
            low = filters.date_from.toordinal() if filters.date_from else 1
            high = filters.date_to.toordinal() if filters.date_to else 10**7
            found.append(Q.range_query(self.schema, "aired", tantivy.FieldType.Integer, low, high))
        if filters.clip_ids is not None:
            found.append(Q.term_set_query(self.schema, "clip_id", sorted(filters.clip_ids)))
        if filters.after_number is not None:
            found.append(
                Q.range_query(
                    self.schema, "number", tantivy.FieldType.Unsigned, filters.after_number + 1, 2**63
                )
            )
        return found

    def _query(self, request: SearchRequest, scope: str) -> Q:
        query, statuses = request.query, request.statuses
        clauses = [(Occur.Must, self._any([self._term(t, scope, statuses) for t in g])) for g in query.must]
        clauses += [(Occur.MustNot, self._term(t, scope, statuses)) for t in query.must_not]
        clauses += [(Occur.Must, Q.const_score_query(f, 0.0)) for f in self._filters(request, scope)]
        if len(clauses) == 1 and clauses[0][0] == Occur.Must:
            return clauses[0][1]  # a lone term query keeps block-max WAND
        return Q.boolean_query(clauses)

    # Searching --------------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchHits:
        index = self._open(create=False)
        if index is None:
            return SearchHits(clips=[], has_more=False, total=0 if request.facets else None)
        searcher = index.searcher()
        if request.query.about_lines:
            query = self._query(request, "line")
            hits = self._lines_to_clips(searcher, query, request)
        else:
            query = self._query(request, "clip")
            hits = self._clips(searcher, query, request)
        if request.facets:
            hits.total, hits.facets = self._facets(searcher, query, per_clip=request.query.about_lines)
        return hits

    def _top(
        self, searcher: tantivy.Searcher, query: Q, limit: int, order_by: str | None = None
    ) -> list[tuple[int, int, float]]:
        """(clip id, segment id, score or sort value) of the first `limit` documents."""
        if order_by:
            result = searcher.search(query, limit, count=False, order_by_field=order_by)
        else:
            result = searcher.search(query, limit, count=False)
        addresses = [address for _, address in result.hits]
        clip_ids = _unsigned(searcher.fast_field_values("clip_id", addresses))
        segment_ids = _unsigned(searcher.fast_field_values("segment_id", addresses))
        return [(c, s, score) for (score, _), c, s in zip(result.hits, clip_ids, segment_ids, strict=True)]

    def _clips(self, searcher: tantivy.Searcher, query: Q, request: SearchRequest) -> SearchHits:
        end = request.offset + request.limit
        order_by = "datekey" if request.sort == "date" else None
        found = self._top(searcher, query, end + 1, order_by)
        page = [ClipHit(c, 0.0 if order_by else score) for c, _, score in found[request.offset : end]]
        if page and request.query.must and request.lines_per_clip:
            lines = self._best_lines(searcher, request, [hit.clip_id for hit in page], None)
            for hit in page:
                hit.segment_ids = lines.get(hit.clip_id, [])
        return SearchHits(clips=page, has_more=len(found) > end)

    def _best_lines(
        self, searcher: tantivy.Searcher, request: SearchRequest, clip_ids: list[int], query: Q | None
    ) -> dict[int, list[int]]:
        """The best lines of each clip: those matching `query`, or else any positive term."""
        if query is None:
            terms = [self._term(t, "line", request.statuses) for t in request.query.positive_terms]
            query = self._any(terms)
        per_clip = request.lines_per_clip
        lines: dict[int, list[int]] = {}

        def collect(restricted_to: list[int], limit: int) -> bool:
            # For a page of ids, a union of term queries is several times faster than a term set,
            # which scans the id column.
            within = self._any([Q.term_query(self.schema, "clip_id", c) for c in restricted_to])
            found = self._top(searcher, Q.boolean_query([(Occur.Must, query), (Occur.Must, within)]), limit)
            for clip_id, segment_id, _ in found:
                if segment_id and len(lines.setdefault(clip_id, [])) < per_clip:
                    lines[clip_id].append(segment_id)
            return len(found) == limit  # there may be more

        if collect(clip_ids, len(clip_ids) * per_clip * 4):
            for clip_id in clip_ids:  # a few clips took all the room: ask for the others one by one
                if len(lines.get(clip_id, [])) < per_clip:
                    lines.pop(clip_id, None)
                    collect([clip_id], per_clip)
        return lines

    def _lines_to_clips(self, searcher: tantivy.Searcher, query: Q, request: SearchRequest) -> SearchHits:
        """Clips that have a line matching `query`, ranked by their best line or by date."""
        need = request.offset + request.limit + 1
        if request.sort == "date":
            agg = {
                "clips": {
                    "terms": {"field": "clip_id", "size": need, "order": {"newest": "desc"}},
                    "aggs": {"newest": {"max": {"field": "datekey"}}},
                }
            }
            ranked = [int(b["key"]) for b in searcher.aggregate(query, agg)["clips"]["buckets"]]
            page = ranked[request.offset : request.offset + request.limit]
            lines = (
                self._best_lines(searcher, request, page, query) if page and request.lines_per_clip else {}
            )
            hits = [ClipHit(c, 0.0, lines.get(c, [])) for c in page]
            return SearchHits(clips=hits, has_more=len(ranked) >= need)
        # A clip ranks by its best line. Lines come best first, so grouping them in order ranks the
        # clips; fetch more lines until there are enough clips for this page and one more.
        limit = need * 3
        while True:
            found = self._top(searcher, query, limit)
            clips: dict[int, ClipHit] = {}
            for clip_id, segment_id, score in found:
                hit = clips.setdefault(clip_id, ClipHit(clip_id, score))
                if len(hit.segment_ids) < request.lines_per_clip:
                    hit.segment_ids.append(segment_id)
            if len(clips) >= need or len(found) < limit:
                break
            limit *= 4
        best = list(clips.values())
        end = request.offset + request.limit
        return SearchHits(clips=best[request.offset : end], has_more=len(best) > end)

    def _facets(
        self, searcher: tantivy.Searcher, query: Q, *, per_clip: bool
    ) -> tuple[int, dict[str, list[tuple[str, int]]]]:
        """Clips per facet value. Line documents count a clip once per value with a cardinality."""
        distinct = {"clips": {"cardinality": {"field": "clip_id"}}}
        # Aggregations are Elasticsearch-style JSON, as tantivy takes and returns them.
        agg: dict[str, Any] = {
            "total": {"cardinality": {"field": "clip_id"}}
            if per_clip
            else {"value_count": {"field": "clip_id"}}
        }
        for name in FACETS:
            terms: dict[str, Any] = {
                "field": FACET_FIELDS.get(name, name),
                # Twice the values shown, so that ties at the cut are settled here, as PostgreSQL does.
                "size": 200 if name == "year" else 2 * FACET_SIZE,
            }
            agg[name] = {"terms": terms}
            if per_clip:
                agg[name] = {"terms": {**terms, "order": {"clips": "desc"}}, "aggs": distinct}
        result = searcher.aggregate(query, agg)
        facets: dict[str, list[tuple[str, int]]] = {}
        for name in FACETS:
            values = [
                (str(b["key"]), round(b["clips"]["value"]) if per_clip else b["doc_count"])
                for b in result[name]["buckets"]
                if b["key"] not in ("", 0)
            ]
            facets[name] = sorted(values, key=lambda v: (-v[1], v[0]))[
                : 200 if name == "year" else FACET_SIZE
            ]
        return round(result["total"]["value"]), facets

    def indexed(self, clip_ids: Collection[int], statuses: frozenset[str] = PUBLIC) -> set[int]:
        index = self._open(create=False)
        if index is None or not clip_ids:
            return set()
        query = Q.boolean_query(
            [
                (Occur.Must, Q.term_query(self.schema, "kind", "clip")),
                (Occur.Must, Q.term_set_query(self.schema, "clip_id", sorted(clip_ids))),
                (Occur.Must, Q.term_set_query(self.schema, "status", sorted(statuses))),
            ]
        )
        result = index.searcher().search(query, len(clip_ids), count=False)
        addresses = [address for _, address in result.hits]
        return set(_unsigned(index.searcher().fast_field_values("clip_id", addresses)))

    def known_words(self, words: Iterable[str]) -> dict[str, int]:
        index = self._open(create=False)
        if index is None:
            return {}
        searcher = index.searcher()
        field = text_field("clip", EXACT, PUBLISHED)
        known: dict[str, int] = {}
        for word in words:
            # The term dictionary answers fast but still counts removed clips until their segment is
            # merged; the few words it holds are counted again among live clips, so a withdrawn
            # clip's words are never suggested.
            if searcher.doc_freq(field, word):
                found = searcher.search(Q.term_query(self.schema, field, word), 1, count=True)
                count = found.count  # type: ignore[attr-defined]  # set with count=True; tantivy's stubs omit it
                if count:
                    known[word] = count
        return known


if TYPE_CHECKING:
    _backend: type[SearchBackend] = TantivyBackend  # checked against the interface
