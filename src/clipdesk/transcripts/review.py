"""What a machine draft asks an editor to check, line by line.

A line needs checking while some of its text is still machine-made and the pipeline doubted it: the
line was marked uncertain (see pipeline.safeguards), its language was identified with a probability
below CLIPDESK_LANGUAGE_MIN_PROBABILITY, or one of its words has a probability below
CLIPDESK_WORD_MIN_PROBABILITY. Once a person has changed the text, the machine's doubts no longer
describe it. The editor highlights these lines and words; the worklist counts the lines per clip.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from .models import Origin, Segment


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    probability: float | None
    unsure: bool


@dataclass(slots=True)
class LineCheck:
    """Why one line needs checking (`reasons` empty: it does not), and its machine words."""

    reasons: list[str] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)

    @property
    def needed(self) -> bool:
        return bool(self.reasons)

    @property
    def unsure_words(self) -> int:
        return sum(word.unsure for word in self.words)


def _thresholds() -> tuple[float, float]:
    return settings.CLIPDESK_WORD_MIN_PROBABILITY, settings.CLIPDESK_LANGUAGE_MIN_PROBABILITY


def _reasons(
    original_origin, english_origin, uncertain, reason, language, language_probability, words, thresholds
) -> tuple[list[str], list[Word]]:
    word_min, language_min = thresholds
    if Origin.MACHINE not in (original_origin, english_origin):
        return [], []
    reasons = []
    if uncertain:
        reasons.append(f"uncertain ({reason})" if reason else "uncertain")
    if language_probability is not None and language_probability < language_min:
        reasons.append(f"language {language or '?'} identified with probability {language_probability:.2f}")
    # The words are what the model heard: they describe the transcript while it is the machine's.
    heard = []
    if original_origin == Origin.MACHINE:
        for item in words or ():
            probability = item[3] if len(item) > 3 else None
            heard.append(
                Word(str(item[2]).strip(), probability, probability is not None and probability < word_min)
            )
    unsure = sum(word.unsure for word in heard)
    if unsure:
        reasons.append(f"{unsure} word{'s' if unsure > 1 else ''} below probability {word_min:g}")
    return reasons, heard


def check_line(segment: Segment) -> LineCheck:
    reasons, words = _reasons(
        segment.original_origin,
        segment.english_origin,
        segment.uncertain,
        segment.uncertain_reason,
        segment.original_language,
        segment.language_probability,
        segment.words,
        _thresholds(),
    )
    if segment.split_check:  # a person's text too: a split by proportion asks for a look
        reasons.append(segment.split_check)
    return LineCheck(reasons=reasons, words=words)


def lines_to_check(clip_ids) -> Counter:
    """How many lines of each of these clips need checking: 0 for a clip with machine text and nothing
    doubtful; a clip with no machine text at all is absent."""
    thresholds = _thresholds()
    counts: Counter = Counter()
    rows = (
        Segment.objects.filter(clip_id__in=clip_ids)
        .filter(Q(original_origin=Origin.MACHINE) | Q(english_origin=Origin.MACHINE))
        .values_list(
            "clip_id",
            "original_origin",
            "english_origin",
            "uncertain",
            "uncertain_reason",
            "original_language",
            "language_probability",
            "words",
        )
    )
    for clip_id, *line in rows.iterator(chunk_size=2000):
        counts[clip_id] += bool(_reasons(*line, thresholds)[0])
    return counts
