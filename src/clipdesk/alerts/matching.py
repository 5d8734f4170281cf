"""Watchlists matched against live lines, in Python, as lines are stored: on the air-to-alert path.

A watch term compiles to the search app's engine `Query` (the same words, phrases, prefixes, aliases
and filters as the archive search) and is evaluated here against one line at a time, with the same
analysis the engines use (`clipdesk.search.analysis`): a word matches a line when its form in the
line's language config is among the original's words (Arabic and Farsi normalized, Arabic light
stems), or its English form is among the English draft's words. So an English term finds an Arabic
line through its English draft, and an Arabic term finds the Arabic original.

The moment of a match is the matched word's own time, from the line's word times; a match found only
in the English draft (which has no word times) is at the line's start.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from clipdesk.search.analysis import config_for, stem, word_forms
from clipdesk.search.analysis import term as analysis_term
from clipdesk.search.interfaces import Query, Term
from clipdesk.search.normalize import tokens
from clipdesk.search.querylang import Atom
from clipdesk.search.services import prepare

ENGLISH = "english"


def primary(language: str) -> str:
    return (language or "").split("-", 1)[0].lower()


@dataclass
class Line:
    """What the matcher reads of a live line."""

    id: int
    start: dt.datetime
    language: str
    text: str
    english: str = ""
    words: Sequence[Sequence] = ()
    channel: str = ""  # the channel's name, for channel:

    @cached_property
    def config(self) -> str:
        return config_for(primary(self.language))

    @cached_property
    def original(self) -> list[str]:
        return tokens(self.text)

    @cached_property
    def translated(self) -> list[str]:
        return tokens(self.english) if self.english else []

    @cached_property
    def original_forms(self) -> list[str]:
        return [stem(t, self.config) for t in self.original]

    @cached_property
    def english_forms(self) -> list[str]:
        return [stem(t, ENGLISH) for t in self.translated]

    @cached_property
    def channel_words(self) -> set[str]:
        return set(tokens(self.channel))

    def moment(self, token_index: int | None) -> dt.datetime:
        """The air time of the original's `token_index`-th word (from the word times), else the start."""
        if token_index is None or not self.words:
            return self.start
        seen = 0
        for word in self.words:
            seen += len(tokens(str(word[2])))
            if seen > token_index:
                return self.start + dt.timedelta(milliseconds=int(word[0]))
        return self.start


def _runs(words: list[str], phrase: tuple[str, ...], prefix: bool) -> int | None:
    """Where `phrase` first starts among `words` (its last word a prefix if `prefix`), or None."""
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if words[i : i + n - 1] == list(phrase[:-1]):
            last = words[i + n - 1]
            if last == phrase[-1] or (prefix and last.startswith(phrase[-1])):
                return i
    return None


@dataclass(frozen=True)
class Hit:
    """Where a term matched: the token index in the original (None if only the English draft matched)."""

    in_original: int | None


def match_term(term: Term, line: Line) -> Hit | None:
    if term.kind == "word":
        forms = word_forms(term.tokens[0])
        wanted = forms[line.config]
        for i, form in enumerate(line.original_forms):
            if form == wanted:
                return Hit(i)
        if forms[ENGLISH] in line.english_forms:
            return Hit(None)
        return None
    prefix = term.kind == "prefix"
    found = _runs(line.original, term.tokens, prefix)
    if found is not None:
        return Hit(found)
    if _runs(line.translated, term.tokens, prefix) is not None:
        return Hit(None)
    return None


def match_query(query: Query, line: Line) -> Hit | None:
    """Whether `line` says everything `query` asks for, as one line: every group, no excluded term,
    in one of its languages, on one of its channels. The hit is the earliest word in the original."""
    if query.lang and primary(line.language) not in query.lang:
        return None
    if query.channel and not any(set(value) <= line.channel_words for value in query.channel):
        return None
    if query.speaker:
        return None  # live lines have no named speakers; validation refuses speaker:
    if not query.must:
        return None  # a watch term must say something: "only excluded words" matches nothing
    positions: list[int] = []
    for group in query.must:
        hits = [h for h in (match_term(t, line) for t in group) if h is not None]
        if not hits:
            return None
        positions += [h.in_original for h in hits if h.in_original is not None]
    if any(match_term(t, line) is not None for t in query.must_not):
        return None
    return Hit(min(positions) if positions else None)


@dataclass
class CompiledTerm:
    term_id: int | None
    label: str
    query: Query
    notes: list[str] = field(default_factory=list)


def compile_term(kind: str, value: str, names: Iterable[str] = ()) -> CompiledTerm:
    """The engine query of a watch term. `names` are a person's name and aliases, for kind "name"."""
    notes: list[str] = []
    if kind == "search":
        _, query, notes = prepare(value)
        return CompiledTerm(None, value, query, notes)
    if kind == "name":
        atoms = [Atom("phrase", n) for n in names if n.strip()]
        label = next(iter(names), value)
    else:
        atoms = [Atom("phrase" if kind == "phrase" else "word", value)]
        label = value
    terms = tuple(t for t in (analysis_term(a, notes) for a in atoms) if t is not None)
    return CompiledTerm(None, label, Query(must=(terms,) if terms else ()), notes)


@dataclass
class CompiledWatchlist:
    watchlist_id: int
    terms: list[CompiledTerm]

    def match(self, line: Line) -> tuple[CompiledTerm, Hit] | None:
        """The first term (in the list's order) that `line` matches, with where."""
        for term in self.terms:
            hit = match_query(term.query, line)
            if hit is not None:
                return term, hit
        return None
