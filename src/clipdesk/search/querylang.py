"""The search query language, parsed leniently. Django-free.

    words                 every word must match (English words match any form: talks, talking)
    "exact phrase"        the words in this order, exactly as written (case and diacritics aside)
    -word, -"phrase"      leave out lines that contain it
    word OR other         either one
    negotiat*             any word starting with this; "peace negotiat*" a phrase ending so
    speaker:Nasrallah     lines spoken by someone of that name (or alias); quote names with spaces
    channel:"Al-Manar"    clips from a channel of that name; a name two channels share ("Channel 1" of
                          Egypt and of Iran) means all of them, and the search says so
    lang:ar               lines whose original language is Arabic (a code or an English name)

`parse` never raises. Whatever it cannot read it reads as plain words and says so in `notes`, so a
reader always gets results for the words they typed and learns why the rest was ignored.
"""

import re
from dataclasses import dataclass, field
from typing import Literal

FILTERS = ("speaker", "channel", "lang")
MAX_LENGTH = 1000
MAX_ATOMS = 32

# Language names readers type, to BCP 47 primary subtags.
LANGUAGE_NAMES = {
    "arabic": "ar",
    "farsi": "fa",
    "persian": "fa",
    "english": "en",
    "hebrew": "he",
    "turkish": "tr",
    "urdu": "ur",
    "french": "fr",
    "russian": "ru",
    "spanish": "es",
    "german": "de",
    "pashto": "ps",
    "kurdish": "ku",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEXEME = re.compile(r'\s*(-?)(?:(\w+):)?("[^"]*"?|\S+)')


@dataclass(frozen=True)
class Atom:
    """One searchable unit as typed: a word, a quoted phrase, or a prefix (without its star)."""

    kind: Literal["word", "phrase", "prefix"]
    text: str


@dataclass
class ParsedQuery:
    groups: list[list[Atom]] = field(default_factory=list)  # every group must match, any atom of a group
    excluded: list[Atom] = field(default_factory=list)
    speaker: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.groups or self.excluded or self.speaker or self.channel or self.lang)


def language_code(value: str) -> str | None:
    """'ar', 'ar-LB', 'Arabic' → 'ar'; None for something that is not a language."""
    value = value.strip().lower()
    value = LANGUAGE_NAMES.get(value, value)
    primary = value.split("-", 1)[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _atom(text: str, notes: list[str]) -> Atom | None:
    """A bare lexeme as a word or a prefix."""
    text = text.strip("()+")
    if "(" in text or ")" in text:
        text = text.replace("(", " ").replace(")", " ")
    if not text:
        return None
    if text.endswith("*"):
        stem = text.rstrip("*")
        if "*" in stem:
            notes.append(f"A star works only at the end of a word; searched for {stem.replace('*', ' ')!r}.")
            return Atom("word", stem.replace("*", " "))
        if not stem:
            notes.append("A star on its own matches nothing; ignored it.")
            return None
        return Atom("prefix", stem)
    if "*" in text:
        notes.append(f"A star works only at the end of a word; searched for {text.replace('*', ' ')!r}.")
        return Atom("word", text.replace("*", " "))
    return Atom("word", text)


def parse(query: str) -> ParsedQuery:
    """Read `query`; never raises. See the module docstring for the language."""
    parsed = ParsedQuery()
    notes = parsed.notes
    query = _CONTROL.sub(" ", query)  # no reader means them, and PostgreSQL refuses NUL
    if len(query) > MAX_LENGTH:
        query = query[:MAX_LENGTH]
        notes.append(f"The search was cut to its first {MAX_LENGTH} characters.")
    if query.count('"') % 2:
        notes.append("A quotation mark is not closed; searched for those words one by one.")
        last = query.rfind('"')
        query = query[:last] + " " + query[last + 1 :]
    if "(" in query or ")" in query:
        notes.append("Brackets are not part of the search language; searched for the words inside them.")

    join_next = False  # the previous lexeme was OR
    negate_next = False  # the previous lexeme was NOT
    last_was_atom = False
    atoms = 0
    for match in _LEXEME.finditer(query):
        minus, name, body = match.groups()
        if not body and not name:
            continue
        if name is None and body in ("OR", "AND", "NOT") and not minus:
            if body == "OR":
                if not last_was_atom or join_next:
                    notes.append("OR needs a word on each side; ignored one.")
                else:
                    join_next = True
            elif body == "NOT":
                negate_next = True
            continue
        negated = bool(minus) or negate_next
        negate_next = False

        if name is not None and name.lower() in FILTERS:
            _read_filter(parsed, name.lower(), body.strip('"').strip(), negated)
            if join_next:
                notes.append("OR joins words, not filters; ignored one.")
                join_next = False
            last_was_atom = False
            continue
        atom = _read_atom(f"{name}:{body}" if name is not None else body, notes)
        if atom is None:
            continue
        atoms += 1
        if atoms > MAX_ATOMS:
            notes.append(f"Only the first {MAX_ATOMS} words were searched.")
            break
        if negated:
            if join_next:
                notes.append("OR cannot join an excluded word; ignored the OR.")
                join_next = False
            parsed.excluded.append(atom)
            last_was_atom = False
            continue
        if join_next and parsed.groups:
            parsed.groups[-1].append(atom)
        else:
            parsed.groups.append([atom])
        join_next = False
        last_was_atom = True
    if join_next:
        notes.append("OR needs a word on each side; ignored one.")
    if negate_next:
        notes.append("NOT needs a word after it; ignored it.")
    return parsed


def _read_filter(parsed: ParsedQuery, name: str, value: str, negated: bool) -> None:
    notes = parsed.notes
    if negated:
        notes.append(f"{name}: filters cannot be excluded; ignored -{name}:{value}.")
    elif not value:
        notes.append(f"{name}: needs a value, such as {name}:{_example(name)}; ignored it.")
    elif name == "lang":
        code = language_code(value)
        if code:
            parsed.lang.append(code)
        else:
            notes.append(f"lang:{value} is not a language code such as ar or fa; ignored it.")
    else:
        getattr(parsed, name).append(value)


def _read_atom(text: str, notes: list[str]) -> Atom | None:
    """A lexeme that is not a filter: a "phrase" (perhaps ending in a prefix*), a word, a prefix*."""
    if text.endswith(":") and text[:-1].lower() in FILTERS:
        notes.append(
            f"{text.lower()} needs a value right after it, such as {text.lower()}{_example(text[:-1])}."
        )
        return None
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        inner = text[1:-1].strip()
        if inner.endswith("*") and inner.rstrip("*").strip():  # "peace tal*": the last word is a prefix
            return Atom("prefix", inner.rstrip("*"))
        if not inner:
            notes.append("An empty pair of quotation marks matches nothing; ignored it.")
            return None
        return Atom("phrase", inner)
    return _atom(text.replace('"', " "), notes)


def _example(name: str) -> str:
    return {"speaker": "Nasrallah", "channel": "Al-Manar", "lang": "ar"}[name.lower()]
