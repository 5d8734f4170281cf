"""The search engine of the recordings: live lines in, line ids out. Django-free.

A separate scope from the published archive (`clipdesk.search`): its documents are raw machine lines
of the recordings, for staff only, and nothing in the public search ever reads them. The query is the
archive's engine `Query` (same language, normalization and aliases); a result is one line, matched as
a line: every group of the query in that line (original or English draft), no excluded word in it.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from clipdesk.search.interfaces import Query


@dataclass(frozen=True)
class LineDocument:
    line_id: int
    day: dt.date
    source_id: int
    start: dt.datetime  # aware, UTC
    language: str  # BCP 47 primary subtag, lowercased
    text: str
    english: str = ""


@dataclass(frozen=True)
class LiveSearchRequest:
    query: Query
    source_ids: tuple[int, ...] = ()  # any of these channel sources; none: all
    languages: tuple[str, ...] = ()  # primary subtags
    since: dt.datetime | None = None  # lines starting at or after
    until: dt.datetime | None = None  # lines starting before
    sort: Literal["date", "relevance"] = "date"
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class LineHit:
    line_id: int
    day: dt.date
    score: float = 0.0


@dataclass
class LiveHits:
    lines: list[LineHit] = field(default_factory=list)
    has_more: bool = False


class LiveSearchBackend(Protocol):
    def index_lines(self, lines: Iterable[LineDocument]) -> int:
        """Add these lines (a line already indexed is replaced). Returns how many were indexed."""

    def forget_before(self, day: dt.date) -> None:
        """Drop what was indexed for lines of days before `day` (retention)."""

    def search(self, request: LiveSearchRequest) -> LiveHits:
        """Lines matching the request, newest (or best) first."""
