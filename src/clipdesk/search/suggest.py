""" "Did you mean": for a query that finds nothing, the nearest words the index holds. Django-free.

A misspelled word is usually one edit away from the word meant (a letter missing, added, changed, or
two swapped: Norvig's corrector). Every such spelling made from the letters of the word's own script
is looked up in the index (`SearchBackend.known_words`, the number of clips that say it); the most
common one wins, so the suggestion is a word readers will find. Only words the index does not hold
are replaced, and only published clips are consulted, so a suggestion never reveals a draft.
"""

import re
from collections.abc import Callable, Iterable

from .normalize import normalize, tokens
from .querylang import ParsedQuery

LATIN = "abcdefghijklmnopqrstuvwxyz"
ARABIC = "ءابتثجحخدذرزسشصضطظعغفقكلمنهويپچژگ"  # the letters `normalize` leaves, Farsi's among them
MIN_LENGTH = 3  # shorter words have too many neighbours to guess from


def edits(word: str) -> set[str]:
    """Every spelling one edit away from `word`, in the letters of its script."""
    letters = ARABIC if any("\u0600" <= ch <= "\u06ff" for ch in word) else LATIN
    if not word.isascii() and letters is LATIN:
        letters = LATIN + "".join(sorted(set(word) - set(LATIN)))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters]
    inserts = [a + c + b for a, b in splits for c in letters]
    return set(deletes + swaps + replaces + inserts) - {word}


def _words(parsed: ParsedQuery) -> list[str]:
    return [t for group in parsed.groups for atom in group if atom.kind == "word" for t in tokens(atom.text)]


def suggestion(
    query: str, parsed: ParsedQuery, known_words: Callable[[Iterable[str]], dict[str, int]]
) -> str | None:
    """The query with each word the index lacks replaced by its most common neighbour, or None."""
    words = [w for w in dict.fromkeys(_words(parsed)) if len(w) >= MIN_LENGTH and not w.isdigit()]
    if not words:
        return None
    held = known_words(words)
    replacements = {}
    for word in words:
        if held.get(word):
            continue
        found = known_words(edits(word))
        if found:
            replacements[word] = max(found, key=lambda w: (found[w], w))
    if not replacements:
        return None
    return _replace(query, replacements)


def _replace(query: str, replacements: dict[str, str]) -> str:
    """`query` with the words written as each key (case and diacritics aside) changed to its value,
    capitalized as the reader wrote them."""

    def swap(match: re.Match) -> str:
        word = match.group()
        new = replacements.get(normalize(word).lower())
        if new is None:
            return word
        if word.isupper() and len(word) > 1:
            return new.upper()
        return new[:1].upper() + new[1:] if word[:1].isupper() else new

    return re.sub(r"[^\W_]+", swap, query)
