"""Transcript lines that read well: cut at sentence ends, never mid-phrase, capped in length.

Whisper's segments follow its decoding windows, not the speech: a sentence that straddles two
windows arrives in two pieces ("The floor is to Mrs." / "Anila Haweru."), and unpunctuated speech
(much Arabic broadcast speech comes out without punctuation) arrives as one long run. Lines are
cut from the word timestamps instead: after a sentence end (not after "Mrs."), at a long pause, or,
when a piece grows past the caps, at its best point (after a comma, else at the longest pause in its
second half). :func:`join` then glues a line that does not end a sentence to the next one when they
touch, so a window edge no longer cuts a sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .decoded import DecodedWord
    from .transcribe import Segment

__all__ = ["LineRules", "ends_sentence", "join", "split_points"]

# Sentence-final marks: Latin, CJK ideographic full stop and full-width ? and !, Arabic ?, ellipsis.
SENTENCE_END = (".", "?", "!", "\u3002", "\uff1f", "\uff01", "\u061f", "\u2026")
# Clause marks: Latin and Arabic comma, semicolon, colon.
CLAUSE_END = (",", ";", ":", "\u060c", "\u061b")
# Abbreviations a sentence does not end with.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "mt",
        "jr",
        "sr",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cpt",
        "maj",
        "adm",
        "gov",
        "sen",
        "rep",
        "rev",
        "hon",
        "pres",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "dept",
        "fig",
        "approx",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "a.m",
        "p.m",
    ]
)


@dataclass(frozen=True)
class LineRules:
    """Caps on a line: a punctuated one runs to its sentence end up to ``max_ms`` / ``max_chars``;
    speech without any punctuation is cut sooner, at ``unpunctuated_ms`` / ``unpunctuated_chars``."""

    max_ms: int = 10_000
    max_chars: int = 160
    unpunctuated_ms: int = 6_000
    unpunctuated_chars: int = 84
    pause_ms: int = 600
    min_sentence_ms: int = 500
    join_gap_ms: int = 1000


def ends_sentence(word: str) -> bool:
    """Whether ``word`` ends a sentence: "done." does, "Mrs." and "U.S." do not."""
    word = word.strip()
    if not word.endswith(SENTENCE_END):
        return False
    if word.endswith("."):
        bare = word.rstrip(".").lower().lstrip("\"'(\u201c\u2018")
        if bare in ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()):  # "Mrs.", "J."
            return False
    return True


def _text(words: Sequence[DecodedWord]) -> str:
    return "".join(w.word for w in words).strip()


def _punctuated(words: Sequence[DecodedWord]) -> bool:
    return any(w.word.strip().endswith(SENTENCE_END + CLAUSE_END) for w in words)


def _best_cut(words: Sequence[DecodedWord], first: int, end: int) -> int:
    """Where to start a new piece in ``words[first:end + 1]`` that grew too long: after a comma, else
    at the longest pause, looking only at its second half so that no piece is a stub."""
    low = first + max(1, (end - first) // 2)
    best, best_score = end, -1.0
    for k in range(low, end + 1):
        previous = words[k - 1]
        score = max(0.0, words[k].start - previous.end)
        if previous.word.strip().endswith(CLAUSE_END):
            score += 10.0
        if score > best_score:
            best, best_score = k, score
    return best


def split_points(words: Sequence[DecodedWord], rules: LineRules = LineRules()) -> list[int]:
    """Indices of the words that start a new line. ``words`` are faster-whisper words (seconds)."""
    points: list[int] = []
    first = 0
    for index in range(1, len(words)):
        previous, word = words[index - 1], words[index]
        start_ms = round(words[first].start * 1000)
        so_far = round(previous.end * 1000) - start_ms
        gap = round(word.start * 1000) - round(previous.end * 1000)
        if (ends_sentence(previous.word) and so_far >= rules.min_sentence_ms) or gap >= rules.pause_ms:
            points.append(index)
            first = index
            continue
        piece = words[first : index + 1]
        punctuated = _punctuated(piece)
        max_ms = rules.max_ms if punctuated else rules.unpunctuated_ms
        max_chars = rules.max_chars if punctuated else rules.unpunctuated_chars
        if round(word.end * 1000) - start_ms > max_ms or len(_text(piece)) > max_chars:
            cut = _best_cut(words, first, index)
            points.append(cut)
            first = cut
    return points


def join(segments: Iterable[Segment], rules: LineRules = LineRules()) -> Iterator[Segment]:
    """Merges a line that does not end a sentence with the next one, when they are close in time,
    in the same language and channel, and the merged line stays within the caps. Lines marked
    uncertain stay apart, so that a doubt does not spread to a good line. Streams: holds one line."""
    held = None
    for segment in segments:
        if held is not None and _joinable(held, segment, rules):
            held = _merge(held, segment)
            continue
        if held is not None:
            yield held
        held = segment
    if held is not None:
        yield held


def _joinable(a: Segment, b: Segment, rules: LineRules) -> bool:
    if not a.words or not b.words or a.uncertain or b.uncertain:
        return False
    if ends_sentence(a.words[-1].text) or a.language != b.language or a.channel != b.channel:
        return False
    if b.start_ms - a.end_ms > rules.join_gap_ms:
        return False
    text = f"{a.text} {b.text}"
    punctuated = any(w.text.endswith(SENTENCE_END + CLAUSE_END) for w in (*a.words, *b.words))
    max_ms = rules.max_ms if punctuated else rules.unpunctuated_ms
    max_chars = rules.max_chars if punctuated else rules.unpunctuated_chars
    return b.end_ms - a.start_ms <= max_ms and len(text) <= max_chars


def _merge(a: Segment, b: Segment) -> Segment:
    share = (a.end_ms - a.start_ms) / max(1, b.end_ms - a.start_ms)
    a.text = f"{a.text} {b.text}"
    a.end_ms = b.end_ms
    a.words = [*a.words, *b.words]
    a.avg_logprob = a.avg_logprob * share + b.avg_logprob * (1 - share)
    a.no_speech_prob = max(a.no_speech_prob, b.no_speech_prob)
    a.compression_ratio = max(a.compression_ratio, b.compression_ratio)
    a.language_probability = min(a.language_probability, b.language_probability)
    return a
