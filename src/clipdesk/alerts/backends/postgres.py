"""PostgreSQL full text over the live lines' own table: nothing is copied, nothing to feed.

The vector is an expression, `to_tsvector('clipdesk_english', alerts_fold(text || ' ' || english))`,
indexed with GIN on the partitioned table (migration 0003), so each day's partition has its own
index and a search limited to some days reads only theirs. Words are looked for in the English
config's form (Snowball English stems; other scripts pass through it unchanged), after the same
folding of Arabic and Farsi as everywhere (`clipdesk.search.normalize`). Arabic is not light-stemmed
here (the index cannot call Python): an Arabic word finds the same word, normalized, with or
without diacritics, not its forms with a joined article; the embedded engine finds those too.
"""

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection

from clipdesk.search.interfaces import Query, Term

from ..interfaces import LineDocument, LineHit, LiveHits, LiveSearchBackend, LiveSearchRequest

VECTOR = "to_tsvector('clipdesk_english'::regconfig, alerts_fold(text || ' ' || english))"


def _quoted(tokens: Iterable[str]) -> list[str]:
    # normalize.tokens keeps letters and digits only: nothing in a token needs escaping.
    return [f"'{t}'" for t in tokens]


def _term(term: Term) -> str:
    words = _quoted(term.tokens)
    if term.kind == "prefix":
        words[-1] += ":*"
    return "(" + " <-> ".join(words) + ")"


def tsquery(query: Query) -> str | None:
    """The query as the text of a tsquery, or None when it has no words."""
    if not query.must:
        return None
    parts = ["(" + " | ".join(_term(t) for t in group) + ")" for group in query.must]
    parts += ["!" + _term(t) for t in query.must_not]
    return " & ".join(parts)


class PostgresLiveBackend:
    """`LiveSearchBackend` over the live lines' table; indexing is the database's own."""

    def __init__(self, directory: str | Path | None = None):
        pass

    def index_lines(self, lines: Iterable[LineDocument], *, replace: bool = True) -> int:
        return 0  # the GIN index follows the table

    def forget_before(self, day: dt.date) -> None:
        pass  # retention drops the partitions, and their indexes with them

    def search(self, request: LiveSearchRequest) -> LiveHits:
        where: list[str] = ["TRUE"]
        params: list[object] = []
        text = tsquery(request.query)
        if text is not None:
            where.append(f"{VECTOR} @@ to_tsquery('clipdesk_english', %s)")
            params.append(text)
        if request.source_ids:
            where.append("source_id = ANY(%s)")
            params.append(list(request.source_ids))
        languages = sorted(set(request.languages) | set(request.query.lang))
        if languages:
            where.append("lower(split_part(language, '-', 1)) = ANY(%s)")
            params.append(languages)
        if request.since:
            # The day bounds let the planner skip other days' partitions.
            where.append("start >= %s AND day >= %s")
            params += [request.since, (request.since - dt.timedelta(days=1)).date()]
        if request.until:
            where.append("start < %s AND day <= %s")
            params += [request.until, request.until.date()]
        if request.sort == "relevance" and text is not None:
            score = f"ts_rank({VECTOR}, to_tsquery('clipdesk_english', %s))"
            order = "score DESC, start DESC"
            params = [text, *params]
        else:
            score, order = "0.0", "start DESC, id DESC"
        sql = (
            f"SELECT id, day, {score} AS score FROM alerts_liveline WHERE {' AND '.join(where)} "
            f"ORDER BY {order} LIMIT %s OFFSET %s"
        )
        params += [request.limit + 1, request.offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        hits = [LineHit(row[0], row[1], float(row[2])) for row in rows[: request.limit]]
        return LiveHits(lines=hits, has_more=len(rows) > request.limit)


if TYPE_CHECKING:
    _backend: type[LiveSearchBackend] = PostgresLiveBackend
