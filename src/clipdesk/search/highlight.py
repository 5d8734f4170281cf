"""Mark the words of a query in a line of text, as escaped HTML. Django-free.

Matching runs on the normalized text, the way the engines match, and the marks are put back on
the text as written, diacritics and all: searching `كتب` marks the whole of `كَتَبَ`.
"""

import re
from html import escape

from . import arabic
from .analysis import CONFIGS, stem
from .interfaces import Query
from .normalize import TOKEN, fold, is_removed, offsets


class Highlighter:
    def __init__(self, query: Query):
        # The query's words, in the form each config gives them.
        self.forms: dict[str, set[str]] = {config: set() for config in CONFIGS}
        self.prefixes: set[str] = set()  # one-word prefixes
        self.phrases: list[tuple[tuple[str, ...], bool]] = []  # several words in a row; is the last a prefix
        for group in query.must:
            for term in group:
                if term.kind == "word":
                    for config in CONFIGS:
                        self.forms[config].add(stem(term.tokens[0], config))
                elif term.kind == "prefix" and len(term.tokens) == 1:
                    self.prefixes.add(term.tokens[0])
                else:
                    self.phrases.append((term.tokens, term.kind == "prefix"))
        self._matches: dict[str, bool] = {}  # words of the text already looked at
        # A word and its stem begin alike (stemmers change endings), so looking only at the words that
        # begin like a query word or prefix skips most of a line without stemming it.
        starts = {form[:2] for forms in self.forms.values() for form in forms} | {
            p[:2] for p in self.prefixes
        }
        # Arabic stems also lose their prefix: `حرار` is looked for in words that begin `الحر`, `وحر`...
        starts |= {prefix + form[:2] for form in self.forms["arabic"] for prefix in arabic.PREFIXES}
        self._candidates = (
            re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, sorted(starts))) + r")[^\W_]*")
            if starts
            else None
        )

    def __bool__(self) -> bool:
        return bool(self._candidates or self.phrases)

    def _word_matches(self, word: str) -> bool:
        found = self._matches.get(word)
        if found is None:
            found = any(stem(word, c) in forms for c, forms in self.forms.items())
            found = self._matches[word] = found or any(word.startswith(p) for p in self.prefixes)
        return found

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character ranges of `text` to mark, in order, not overlapping."""
        if not text or not self:
            return []
        normalized = fold(text)
        found = self._found(normalized)
        if not found:
            return []  # most lines of a result, and most originals: no need for the offsets
        origin = offsets(text, normalized)
        spans: list[tuple[int, int]] = []
        for start, end in sorted(found):
            begin, finish = (start, end) if origin is None else (origin[start], origin[end - 1] + 1)
            while finish < len(text) and is_removed(text[finish]):  # trailing harakat belong to the word
                finish += 1
            if spans and (begin <= spans[-1][1] or text[spans[-1][1] : begin].isspace()):
                spans[-1] = (spans[-1][0], max(finish, spans[-1][1]))  # one mark for words in a row
            else:
                spans.append((begin, finish))
        return spans

    def _found(self, normalized: str) -> list[tuple[int, int]]:
        """The matches in the normalized text."""
        found: list[tuple[int, int]] = []
        if self._candidates:
            found += [
                m.span() for m in self._candidates.finditer(normalized) if self._word_matches(m.group())
            ]
        if self.phrases:
            tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(normalized)]
            words = [w for _, _, w in tokens]
            for phrase, prefix in self.phrases:
                for i in _runs(words, phrase, prefix=prefix):
                    found.append((tokens[i][0], tokens[i + len(phrase) - 1][1]))
        return found

    def html(self, text: str) -> tuple[str, bool]:
        """`text` escaped, with <mark> around the matches; and whether anything matched."""
        spans = self.spans(text)
        if not spans:
            return escape(text, quote=False), False
        out, last = [], 0
        for begin, finish in spans:
            out.append(escape(text[last:begin], quote=False))
            out.append(f"<mark>{escape(text[begin:finish], quote=False)}</mark>")
            last = finish
        out.append(escape(text[last:], quote=False))
        return "".join(out), True


def _runs(words: list[str], phrase: tuple[str, ...], *, prefix: bool) -> list[int]:
    """Where `phrase` starts among `words`; its last word may be a prefix."""
    n, head = len(phrase), list(phrase[:-1])
    return [
        i
        for i in range(len(words) - n + 1)
        if words[i : i + n - 1] == head
        and (words[i + n - 1].startswith(phrase[-1]) if prefix else words[i + n - 1] == phrase[-1])
    ]
