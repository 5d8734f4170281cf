"""Where a line splits, and when: word boundaries in both texts, times from the stored words.

A split never cuts a word: the cursor moves to the nearest boundary between words (in Arabic, cutting
مقفول into مقف + ول makes two words that do not exist, and joining them back with a space does not
restore the one). The original is split where the person asked (or, with the cursor in the English,
at the word nearest the same proportion), and the English at the word nearest the original's
proportion; a text split by proportion is marked for a person to check, since only they know where
the translation divides.

The split time is the start of the second half's first word from the machine's stored words. While
the original is the machine's, its words are those words; after a person edited it, the boundary is
mapped onto the stored words by proportion and the time is marked for checking. A line without words
shares its time in proportion to the text.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .models import Origin, Segment

ONE_WORD = "This line is one word: there is no word boundary to split it at."
NO_CURSOR = "Put the cursor inside the text, where the new line should start."
CHECK_ENGLISH = "English split at the nearest word: check where the translation divides"
CHECK_ORIGINAL = "Original split at the nearest word: check where it divides"
CHECK_TIME = "split time from the nearest stored word by proportion: check it"
CHECK_TIME_TEXT = "split time estimated from the text: check it"


def boundaries(text: str) -> list[int]:
    """Where each word after the first starts."""
    return [match.start() for match in re.finditer(r"(?<=\s)\S", text)]


def nearest_boundary(text: str, at: float) -> int | None:
    """The word boundary nearest to character `at` (the earlier one on a tie); None for one word."""
    found = boundaries(text)
    return min(found, key=lambda i: (abs(i - at), i)) if found else None


def _words_before(text: str, at: int) -> int:
    return len(text[:at].split())


@dataclass
class SplitPlan:
    """The two halves' fields, and why each should be checked."""

    first: dict = field(default_factory=dict)
    second: dict = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)


def plan_split(segment: Segment, *, at: int | None = None, original_at: int | None = None) -> SplitPlan:
    """Plan the split of `segment` at cursor `original_at` in its original or `at` in its English."""
    original, english = segment.original_text, segment.english_text
    checks = []
    if original_at is not None or not english.strip():
        if original_at is None or not 0 < original_at < len(original):
            raise ValidationError(NO_CURSOR)
        cut_original = nearest_boundary(original, original_at)
        if cut_original is None:
            raise ValidationError(ONE_WORD)
        share = cut_original / len(original)
        cut_english = nearest_boundary(english, share * len(english)) if english.strip() else None
        if english.strip():
            if cut_english is None:
                raise ValidationError("The English is one word: split it where it divides first.")
            checks.append(CHECK_ENGLISH)
    else:
        if at is None or not 0 < at < len(english):
            raise ValidationError(NO_CURSOR)
        cut_english = nearest_boundary(english, at)
        if cut_english is None:
            raise ValidationError(ONE_WORD)
        share = cut_english / len(english)
        cut_original = nearest_boundary(original, share * len(original)) if original.strip() else None
        if original.strip():
            if cut_original is None:
                raise ValidationError("The original is one word: split it where it divides first.")
            checks.append(CHECK_ORIGINAL)
    plan = SplitPlan()
    for name, text, cut in (
        ("original_text", original, cut_original),
        ("english_text", english, cut_english),
    ):
        plan.first[name] = text[:cut].rstrip() if cut is not None else text.strip()
        plan.second[name] = text[cut:].strip() if cut is not None else ""
    _plan_time(segment, plan, cut_original, share, checks)
    plan.checks = checks
    return plan


def _plan_time(segment: Segment, plan: SplitPlan, cut_original: int | None, share: float, checks) -> None:
    words = segment.words or []
    original = segment.original_text
    if cut_original is not None and len(words) > 1:
        before, total = _words_before(original, cut_original), len(original.split())
        exact = segment.original_origin == Origin.MACHINE and total == len(words)
        index = before if exact else max(1, min(len(words) - 1, round(before * len(words) / total)))
        if not exact:
            checks.append(CHECK_TIME)
        plan.first["words"], plan.second["words"] = words[:index], words[index:]
        middle = int(words[index][0])
    elif segment.is_timed:
        plan.first["words"] = plan.second["words"] = None
        middle = segment.start_ms + round((segment.end_ms - segment.start_ms) * share)
        checks.append(CHECK_TIME_TEXT)
    else:
        plan.first["words"] = plan.second["words"] = None
        return
    if segment.is_timed:
        middle = max(segment.start_ms, min(segment.end_ms, middle))
        plan.first["end_ms"], plan.second["start_ms"] = middle, middle
    else:
        plan.first["end_ms"], plan.second["start_ms"] = segment.end_ms, None


def merged_fields(first: Segment, second: Segment) -> dict:
    """The fields of the line that joins `first` and the `second` that follows it."""

    def joined(a: str, b: str, sep: str = " ") -> str:
        return sep.join(t for t in (a, b) if t)

    both_words = first.words is not None and second.words is not None
    fields = {
        "english_text": joined(first.english_text, second.english_text),
        "original_text": joined(first.original_text, second.original_text),
        "note": joined(first.note, second.note, "\n"),
        # Words are kept only while they cover the whole line.
        "words": first.words + second.words if both_words else None,
        "uncertain": first.uncertain or second.uncertain,
        "uncertain_reason": ", ".join(
            dict.fromkeys(r for r in (first.uncertain_reason, second.uncertain_reason) if r)
        )[:200],
        "split_check": "; ".join(dict.fromkeys(r for r in (first.split_check, second.split_check) if r))[
            :300
        ],
    }
    for name in ("original_origin", "english_origin"):
        fields[name] = (
            Origin.MACHINE
            if Origin.MACHINE == getattr(first, name) == getattr(second, name)
            else Origin.HUMAN
        )
    if second.end_ms is not None:
        fields["end_ms"] = second.end_ms
    return fields
