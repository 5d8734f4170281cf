"""PostgreSQL full text search, for deployments where several web servers share one database.

Documents are rows of `search_searchdocument` (see `clipdesk.search.models`): one "about" row per
clip (title, summary, names) and one row per line. Text is normalized and split in Python exactly
as for tantivy, then analyzed by PostgreSQL with the per-language configurations that migration 0002
creates: `clipdesk_english` (the Snowball English stemmer without stop words, so "the who" is
searchable) for English text in the `english` vector, `clipdesk_plain` (lowercase only) for Arabic
stems (made in Python, see `clipdesk.search.arabic`) in `arabic` and for the other languages in `plain`, and for the `exact` vector that answers phrases and prefixes. GIN indexes serve
every vector.

A clip matches when each group of the query matches one of its rows and no row holds an excluded
word, the clip-level meaning of `clipdesk.search.interfaces`; with speaker: or lang:, one line row
must match everything. PostgreSQL's Snowball is newer than tantivy's, so a few English words stem
differently ("added", "internal"); otherwise the two engines find the same clips.
"""

import json
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from ..analysis import CONFIGS, PYTHON_STEMMERS, config_for, engine_text, stem
from ..interfaces import (
    FACETS,
    PUBLIC,
    PUBLISHED,
    ClipDocument,
    ClipHit,
    Progress,
    SearchBackend,
    SearchHits,
    SearchRequest,
    Term,
)
from ..normalize import index_text

# Values bound to the %s placeholders of a statement, in order (the database driver adapts them).
Params = list[object]

TABLE = "search_searchdocument"
FACET_SIZE = 12  # values per facet, most clips first

# One tsvector column per analysis config (analysis.CONFIGS): a word is looked for in each, in the
# form that config gives it, exactly as tantivy looks in one field per config.
# Configs stemmed in Python hold stems already: PostgreSQL only lowercases them, as tantivy does.
COLUMNS = {
    config: "clipdesk_plain" if config in PYTHON_STEMMERS else f"clipdesk_{config}" for config in CONFIGS
}
INSERT = f"""
INSERT INTO {TABLE} (clip_id, segment_id, kind, position, status, number, channel, country, topics,
                     people, langs, lang, aired_on, {", ".join(COLUMNS)}, exact, speaker, channel_words)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s::jsonb, %s, %s,
        {", ".join(f"to_tsvector('{config}', %s)" for config in COLUMNS.values())},
        to_tsvector('clipdesk_plain', %s), to_tsvector('clipdesk_plain', %s), to_tsvector('clipdesk_plain', %s))
"""


def _rows(clip: ClipDocument) -> list[tuple[object, ...]]:
    shared = (
        clip.status,
        clip.number,
        clip.channel,
        clip.country,
        json.dumps(list(clip.topics)),
        json.dumps(list(clip.people)),
        json.dumps(list(clip.languages)),
    )
    channel = index_text(clip.channel_name)
    about = index_text(clip.about)
    about_texts = ["" if config != "english" else about for config in COLUMNS]
    rows: list[tuple[object, ...]] = [
        (clip.clip_id, None, "about", -1, *shared, "", clip.aired_on, *about_texts, about, "", channel)
    ]
    for s in clip.segments:
        english, original = index_text(s.english), index_text(s.original)
        texts: dict[str, list[str]] = {config: [] for config in CONFIGS}
        texts["english"].append(english)
        config = config_for(s.language)
        texts[config].append(engine_text(s.original, config) if config in PYTHON_STEMMERS else original)
        rows.append(
            (clip.clip_id, s.segment_id, "line", s.position, *shared, s.language, clip.aired_on,
             *(" ".join(texts[config]) for config in COLUMNS), f"{english} {original}",
             index_text(s.speaker), channel)
        )  # fmt: skip
    return rows


def _quoted(tokens: Iterable[str], joiner: str, prefix: bool = False) -> str:
    """A tsquery over tokens of letters and digits only (normalize.tokens guarantees it)."""
    words = [f"'{t}'" for t in tokens]
    if prefix:
        words[-1] += ":*"
    return f" {joiner} ".join(words)


class _Where:
    """SQL conditions with their parameters, built up in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: Params = []

    def add(self, sql: str, *params: object) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.parts) or "TRUE"


def _words(alias: str) -> str:
    """A word, in each config's column and form; its one parameter is repeated per column."""
    return "(" + " OR ".join(f"{alias}.{c} @@ to_tsquery('{cfg}', %s)" for c, cfg in COLUMNS.items()) + ")"


def _forms(tokens: Iterable[str], config: str) -> tuple[str, ...]:
    """Query words as `config`'s column holds them: stemmed here for a config stemmed in Python."""
    return tuple(stem(t, config) for t in tokens) if config in PYTHON_STEMMERS else tuple(tokens)


def _term(term: Term, alias: str = "d") -> tuple[str, Params]:
    if term.kind == "word":
        return _words(alias), [_quoted(_forms(term.tokens, c), "&") for c in COLUMNS]
    query = _quoted(term.tokens, "<->", prefix=term.kind == "prefix")
    return f"{alias}.exact @@ to_tsquery('clipdesk_plain', %s)", [query]


def _any(terms: Iterable[Term], alias: str = "d") -> tuple[str, Params]:
    parts: list[str] = []
    params: Params = []
    for t in terms:
        sql, p = _term(t, alias)
        parts.append(sql)
        params += p
    return "(" + " OR ".join(parts) + ")", params


def _rank(request: SearchRequest) -> tuple[str, Params]:
    words = [t for t in request.query.positive_terms if t.kind == "word"]
    others = [t for t in request.query.positive_terms if t.kind != "word"]
    parts: list[str] = []
    params: Params = []
    if words:
        for column, config in COLUMNS.items():
            parts.append(f"ts_rank(d.{column}, to_tsquery('{config}', %s))")
            params.append(" | ".join(_quoted(_forms(t.tokens, column), "&") for t in words))
    if others:
        q = " | ".join(f"({_quoted(t.tokens, '<->', t.kind == 'prefix')})" for t in others)
        parts.append("ts_rank(d.exact, to_tsquery('clipdesk_plain', %s))")
        params.append(q)
    return (" + ".join(parts) or "0"), params


class PostgresBackend:
    """`SearchBackend` over the `search_searchdocument` table. `directory` is unused."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = directory

    # Writing ----------------------------------------------------------------------------------------

    def index_clip(self, clip: ClipDocument) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE clip_id = %s", [clip.clip_id])
            cursor.executemany(INSERT, _rows(clip))

    def remove_clip(self, clip_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE clip_id = %s", [clip_id])

    def rebuild(self, clips: Iterable[ClipDocument], progress: Progress | None = None) -> int:
        count = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
            for clip in clips:
                cursor.executemany(INSERT, _rows(clip))
                count += 1
                if progress:
                    progress(count)
        return count

    # Searching --------------------------------------------------------------------------------------

    def _filters(self, request: SearchRequest) -> _Where:
        query, filters = request.query, request.filters
        where = _Where()
        where.add("d.status = ANY(%s)", sorted(request.statuses))
        for column, values in (("channel", filters.channel), ("country", filters.country)):
            if values:
                where.add(f"d.{column} = ANY(%s)", list(values))
        for column, values in (
            ("topics", filters.topic),
            ("people", filters.person),
            ("langs", filters.lang),
        ):
            if values:
                where.add(f"d.{column} ?| %s", list(values))
        if filters.date_from:
            where.add("d.aired_on >= %s", filters.date_from)
        if filters.date_to:
            where.add("d.aired_on <= %s", filters.date_to)
        if filters.clip_ids is not None:
            where.add("d.clip_id = ANY(%s)", sorted(filters.clip_ids))
        if filters.after_number is not None:
            where.add("d.number > %s", filters.after_number)
        for column, names in (("speaker", query.speaker), ("channel_words", query.channel)):
            if names:
                ors = " OR ".join(f"d.{column} @@ to_tsquery('clipdesk_plain', %s)" for _ in names)
                where.add(f"({ors})", *[_quoted(v, "&") for v in names])
        if query.lang:
            where.add("d.lang = ANY(%s)", list(query.lang))
        return where

    def _matches(self, request: SearchRequest) -> tuple[str, Params]:
        """SQL selecting (clip_id, score, newest) of every matching clip, and its parameters."""
        query = request.query
        where = self._filters(request)
        rank, rank_params = _rank(request)
        if query.about_lines:
            where.add("d.kind = 'line'")
            for group in query.must:
                sql, params = _any(group)
                where.add(sql, *params)
            for t in query.must_not:
                sql, params = _term(t)
                where.add(f"NOT {sql}", *params)
            sql = (
                f"SELECT d.clip_id, max({rank}) AS score, max(d.aired_on) AS newest "
                f"FROM {TABLE} d WHERE {where.sql()} GROUP BY d.clip_id"
            )
            return sql, [*rank_params, *where.params]
        having: list[str] = []
        having_params: Params = []
        if query.must:
            sql, params = _any(query.positive_terms)
            where.add(sql, *params)  # any group: the GIN indexes find the candidate rows
            for group in query.must:
                sql, params = _any(group)
                having.append(f"bool_or({sql})")
                having_params += params
        else:
            where.add("d.kind = 'about'")
        if query.must_not:
            sql, params = _any(query.must_not, alias="x")
            having.append(f"NOT EXISTS (SELECT 1 FROM {TABLE} x WHERE x.clip_id = d.clip_id AND {sql})")
            having_params += params
        sql = (
            f"SELECT d.clip_id, sum({rank}) AS score, max(d.aired_on) AS newest "
            f"FROM {TABLE} d WHERE {where.sql()} GROUP BY d.clip_id"
            + (f" HAVING {' AND '.join(having)}" if having else "")
        )
        return sql, [*rank_params, *where.params, *having_params]

    def search(self, request: SearchRequest) -> SearchHits:
        matches, params = self._matches(request)
        if request.sort == "date":
            order = "newest DESC NULLS LAST, clip_id DESC"
        else:
            order = "score DESC, newest DESC NULLS LAST, clip_id DESC"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT clip_id, score FROM ({matches}) m ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, request.limit + 1, request.offset],
            )
            found = cursor.fetchall()
            page = [ClipHit(clip_id, float(score or 0)) for clip_id, score in found[: request.limit]]
            hits = SearchHits(clips=page, has_more=len(found) > request.limit)
            if page and (request.query.must or request.query.about_lines) and request.lines_per_clip:
                lines = self._best_lines(cursor, request, [h.clip_id for h in page])
                for hit in page:
                    hit.segment_ids = lines.get(hit.clip_id, [])
            if request.facets:
                hits.total, hits.facets = self._facets(cursor, matches, params)
        return hits

    def _best_lines(
        self, cursor: CursorWrapper, request: SearchRequest, clip_ids: list[int]
    ) -> dict[int, list[int]]:
        rank, rank_params = _rank(request)
        if request.query.about_lines:
            where = self._filters(request)
            for group in request.query.must:
                sql, params = _any(group)
                where.add(sql, *params)
            for t in request.query.must_not:
                sql, params = _term(t)
                where.add(f"NOT {sql}", *params)
        else:
            where = _Where()
            sql, params = _any(request.query.positive_terms)
            where.add(sql, *params)
        where.add("d.kind = 'line'")
        where.add("d.clip_id = ANY(%s)", clip_ids)
        cursor.execute(
            f"""SELECT clip_id, segment_id FROM (
                    SELECT d.clip_id, d.segment_id, row_number() OVER (
                        PARTITION BY d.clip_id ORDER BY {rank} DESC, d.position) AS n
                    FROM {TABLE} d WHERE {where.sql()}
                ) ranked WHERE n <= %s ORDER BY clip_id, n""",
            [*rank_params, *where.params, request.lines_per_clip],
        )
        lines: dict[int, list[int]] = {}
        for clip_id, segment_id in cursor.fetchall():
            lines.setdefault(clip_id, []).append(segment_id)
        return lines

    def _facets(
        self, cursor: CursorWrapper, matches: str, params: Params
    ) -> tuple[int, dict[str, list[tuple[str, int]]]]:
        """Clips per facet value, counted on the "about" row of each matching clip."""
        values = {
            "channel": "a.channel",
            "country": "a.country",
            "topic": "jsonb_array_elements_text(a.topics)",
            "person": "jsonb_array_elements_text(a.people)",
            "lang": "jsonb_array_elements_text(a.langs)",
            "year": "extract(year FROM a.aired_on)::int::text",
        }
        parts = [
            f"SELECT %s::text AS facet, value, count(*) AS clips FROM (SELECT {expr} AS value FROM hits h "
            f"JOIN {TABLE} a ON a.clip_id = h.clip_id AND a.kind = 'about') v WHERE value <> '' GROUP BY value"
            for expr in values.values()
        ]
        cursor.execute(
            f"WITH hits AS ({matches}) SELECT facet, value, clips FROM ({' UNION ALL '.join(parts)}) f "
            "UNION ALL SELECT 'total', '', count(*) FROM hits",
            [*params, *values],
        )
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
        total = 0
        for facet, value, clips in cursor.fetchall():
            if facet == "total":
                total = clips
            elif value is not None:
                facets[facet].append((value, clips))
        for name in FACETS:
            facets[name] = sorted(facets[name], key=lambda v: (-v[1], v[0]))[
                : 200 if name == "year" else FACET_SIZE
            ]
        return total, facets

    def indexed(self, clip_ids: Collection[int], statuses: frozenset[str] = PUBLIC) -> set[int]:
        if not clip_ids:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT clip_id FROM {TABLE} WHERE kind = 'about' AND clip_id = ANY(%s) AND status = ANY(%s)",
                [sorted(clip_ids), sorted(statuses)],
            )
            return {row[0] for row in cursor.fetchall()}

    def known_words(self, words: Iterable[str]) -> dict[str, int]:
        words = sorted({w for w in words if w})
        if not words:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT w.word, count(DISTINCT d.clip_id) FROM unnest(%s::text[], %s::text[]) AS w(word, q)
                    JOIN {TABLE} d ON d.exact @@ to_tsquery('clipdesk_plain', w.q)
                    WHERE d.status = %s GROUP BY w.word""",
                [words, [_quoted([w], "&") for w in words], PUBLISHED],
            )
            return dict(cursor.fetchall())


if TYPE_CHECKING:
    _backend: type[SearchBackend] = PostgresBackend  # checked against the interface
