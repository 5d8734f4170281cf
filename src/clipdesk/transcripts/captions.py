"""Caption cues from transcript lines, by the common subtitle rules.

A transcript line follows a sentence; a caption must be readable in the time it is shown: at most
two lines of about 42 characters, on screen between 1 and 7 seconds, and never a word cut in two.
A line that breaks these rules is cut into several cues at word boundaries (balanced, so that the
last cue is not a stub), timed by the words' own timestamps when the line has them (the original
text of a machine line), else in proportion to the characters (a translation). Django-free.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CaptionRules", "split_line", "wrap"]


@dataclass(frozen=True)
class CaptionRules:
    line_chars: int = 42
    lines: int = 2
    min_ms: int = 1000
    max_ms: int = 7000

    @property
    def cue_chars(self) -> int:
        return self.line_chars * self.lines


def wrap(text: str, rules: CaptionRules = CaptionRules()) -> str:
    """``text`` on at most ``rules.lines`` lines, broken at the space nearest the middle."""
    text = " ".join(text.split())
    if len(text) <= rules.line_chars or rules.lines < 2:
        return text
    middle = len(text) // 2
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(i - middle))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def split_line(
    start_ms: int,
    end_ms: int,
    text: str,
    words: Sequence[Sequence] | None = None,
    rules: CaptionRules = CaptionRules(),
) -> list[tuple[int, int, str]]:
    """(start_ms, end_ms, text) cues for one line. ``words`` are the line's [start_ms, end_ms, text,
    probability] lists; they time the cues only when they are the words of ``text``."""
    tokens = text.split()
    if not tokens:
        return []
    duration = max(0, end_ms - start_ms)
    pieces = max(
        -(-len(" ".join(tokens)) // rules.cue_chars),
        -(-duration // rules.max_ms),
        1,
    )
    pieces = min(pieces, len(tokens))
    groups = _balanced(tokens, pieces, rules.cue_chars)
    timed = words is not None and [str(w[2]) for w in words] == tokens
    cues = []
    index = 0
    total_chars = sum(len(t) + 1 for t in tokens)
    chars_before = 0
    for group in groups:
        if timed:
            first, last = words[index], words[index + len(group) - 1]
            cue_start, cue_end = int(first[0]), int(last[1])
        else:
            chars = sum(len(t) + 1 for t in group)
            cue_start = start_ms + duration * chars_before // total_chars
            cue_end = start_ms + duration * (chars_before + chars) // total_chars
            chars_before += chars
        index += len(group)
        cues.append([cue_start, cue_end, wrap(" ".join(group), rules)])
    cues[0][0], cues[-1][1] = min(cues[0][0], start_ms), max(cues[-1][1], end_ms)
    for previous, cue in itertools.pairwise(cues):  # no overlaps inside a line
        previous[1] = min(previous[1], cue[0])
    return [(a, max(b, a), t) for a, b, t in cues]


def _balanced(tokens: list[str], pieces: int, limit: int) -> list[list[str]]:
    """``tokens`` in ``pieces`` runs of similar length (more runs when one would pass ``limit``)."""
    while True:
        target = len(" ".join(tokens)) / pieces
        groups: list[list[str]] = [[]]
        length = 0
        for token in tokens:
            over_target = length + len(token) > target * 1.15 and len(groups) < pieces
            if groups[-1] and (over_target or length + len(token) > limit):
                groups.append([])
                length = 0
            groups[-1].append(token)
            length += len(token) + 1
        if all(len(" ".join(g)) <= limit or len(g) == 1 for g in groups) or pieces >= len(tokens):
            return groups
        pieces += 1


def stretch(cues: list[list], rules: CaptionRules = CaptionRules()) -> None:
    """Lengthens cues shorter than ``rules.min_ms`` into the silence after them (never over the next)."""
    for index, cue in enumerate(cues):
        if cue[1] - cue[0] >= rules.min_ms:
            continue
        limit = cues[index + 1][0] if index + 1 < len(cues) else cue[0] + rules.min_ms
        cue[1] = max(cue[1], min(cue[0] + rules.min_ms, limit))
