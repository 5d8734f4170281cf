"""Per-language analysis and query terms, shared by every engine and the highlighter. Django-free.

Text is normalized in Python (`normalize`), then split into lowercased words. English words are
stemmed by the engines ("talks", "talking" → "talk"). Arabic words are stemmed here, in Python, by
the light stemmer of `arabic` (`الحرارة` → `حرار`): no Arabic stemmer agrees between tantivy and
PostgreSQL, so both engines are given the stems and only lowercase them. Other languages (Farsi
among them) are kept as normalized words. There are no stop words in any language.

Each text is indexed in the field of its language's config. Since a query does not say its language,
a query word is looked for in every config's field, in that config's form: "talks" as "talk" among
English texts, as "talks" among the others.
"""

from functools import cache, lru_cache

import tantivy

from . import arabic
from .interfaces import Query, Term
from .normalize import MAX_TOKEN_BYTES, normalize, tokens
from .querylang import Atom, ParsedQuery

# BCP 47 primary subtag → config. English is stemmed by the engines (tantivy's Filter.stemmer, the
# PostgreSQL config `clipdesk_english`); Arabic by `PYTHON_STEMMERS` before either engine sees it.
# Languages not listed are analyzed plain.
STEMMED_LANGUAGES = {"en": "english", "ar": "arabic"}
PYTHON_STEMMERS = {"arabic": arabic.stem}
PLAIN = "plain"
CONFIGS = (*dict.fromkeys(STEMMED_LANGUAGES.values()), PLAIN)
MIN_PREFIX = 2


def config_for(language: str) -> str:
    return STEMMED_LANGUAGES.get(language, PLAIN)


@cache
def analyzer(config: str) -> tantivy.TextAnalyzer:
    """tantivy's analyzer for a config: split like `normalize.tokens`, lowercase, stem if the language has it."""
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tantivy.Filter.lowercase())
    )
    if config != PLAIN and config not in PYTHON_STEMMERS:
        builder = builder.filter(tantivy.Filter.stemmer(config))
    return builder.build()


@lru_cache(maxsize=100_000)
def stem(token: str, config: str) -> str:
    """The indexed form of one lowercased, normalized word in `config`."""
    if config == PLAIN:
        return token
    if config in PYTHON_STEMMERS:
        return PYTHON_STEMMERS[config](token)
    forms = analyzer(config).analyze(token)
    return forms[0] if forms else token


def engine_text(text: str, config: str) -> str:
    """What an engine is given to index `text` in `config`: the normalized text, or, for a config
    stemmed in Python, its stems separated by spaces (the engine's analyzer then only lowercases)."""
    if config in PYTHON_STEMMERS:
        return " ".join(stem(t, config) for t in tokens(text))
    return normalize(text)


def word_forms(token: str) -> dict[str, str]:
    """The form a query word takes in each config."""
    return {config: stem(token, config) for config in CONFIGS}


def term(atom: Atom, notes: list[str]) -> Term | None:
    """The normalized term for what the reader typed, or None (with a note) if nothing searchable is left."""
    words = tuple(tokens(atom.text))
    if not words:
        if atom.text.strip():
            notes.append(f"{atom.text!r} has no letters or digits to search for; ignored it.")
        return None
    if atom.kind == "prefix":
        if len(words[-1]) < MIN_PREFIX:
            notes.append(f"{atom.text}* is too short to search by its beginning; searched for {atom.text!r}.")
            return Term("word" if len(words) == 1 else "phrase", words)
        return Term("prefix", words)
    if atom.kind == "phrase" or len(words) > 1:
        return Term("phrase", words)  # "Al-Amine" is two words that must follow each other
    return Term("word", words)


def build_query(
    parsed: ParsedQuery, alternatives: dict[str, list[str]] | None = None
) -> tuple[Query, list[str]]:
    """The engine query for a parsed query, and notes about what was dropped.

    `alternatives` maps a typed word or phrase (lowercased) to other names for the same thing
    (a person's or organisation's aliases); each becomes another way for its group to match.
    """
    notes: list[str] = []
    alternatives = alternatives or {}

    def terms_for(atom: Atom) -> list[Term]:
        found = [t for t in [term(atom, notes)] if t is not None]
        if atom.kind != "prefix":
            for name in alternatives.get(atom.text.strip().lower(), []):
                alternative = term(Atom("phrase", name), [])
                if alternative is not None and alternative not in found:
                    found.append(alternative)
        return found

    must = tuple(g for g in (tuple(t for a in group for t in terms_for(a)) for group in parsed.groups) if g)
    must_not = tuple(t for atom in parsed.excluded for t in terms_for(atom))
    speaker = tuple(v for v in (tuple(tokens(s)) for s in parsed.speaker) if v)
    channel = tuple(v for v in (tuple(tokens(c)) for c in parsed.channel) if v)
    if must_not and not must and not (speaker or channel or parsed.lang):
        notes.append("Only excluded words were given: showing everything else.")
    return Query(
        must=must, must_not=must_not, speaker=speaker, channel=channel, lang=tuple(parsed.lang)
    ), notes
