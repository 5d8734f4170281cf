"""Is a decoding trustworthy? The checks that decide whether a line is re-decoded or marked uncertain.

Whisper invents text when it is unsure: it loops ("to understand to understand ..."), or writes a
fluent sentence over music or silence. faster-whisper's own ``transcribe`` guards against this
with three scores of each decoding (see :class:`Thresholds`, whose defaults are faster-whisper's):
a gzip compression ratio (looping text compresses well), the average log-probability of its tokens
(an unsure decoder), and the probability that the window holds no speech at all. A decoding that
fails them is decoded again at higher temperatures (``WhisperModel.transcribe`` does that, and the
pipeline calls it). :func:`repetition` adds a check the scores miss: a phrase repeated several
times in a row in a line too short for the compression ratio to notice.

What still fails after the re-decoding is kept, with the reasons :func:`judge` returns, so that a
translator sees it marked "uncertain" instead of either trusting it or never seeing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from faster_whisper.transcribe import get_compression_ratio

__all__ = ["FALLBACK_TEMPERATURES", "Thresholds", "compression_ratio", "judge", "repetition"]

# faster-whisper's default temperature schedule for the fallback.
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)

# Reasons, as stored per line (short, stable strings: they are matched by code and shown to editors).
REPETITION = "repetition"
COMPRESSION = "compression"
LOW_LOGPROB = "low-logprob"
NO_SPEECH = "no-speech"
LANGUAGE = "language"


@dataclass(frozen=True)
class Thresholds:
    """faster-whisper's defaults. ``None`` turns a check off."""

    compression_ratio: float | None = 2.4
    log_prob: float | None = -1.0
    no_speech: float | None = 0.6
    # A phrase of up to ``max_ngram`` words repeated ``min_repeats`` times in a row (single words:
    # ``min_repeats + 1``, so that "no, no, no" stays speech).
    min_repeats: int = 3
    max_ngram: int = 8


_WORD = re.compile(r"\w+(?:['\u2019]\w+)*", re.UNICODE)


def compression_ratio(text: str) -> float:
    """faster-whisper's gzip compression ratio of ``text`` (0 for an empty text)."""
    return get_compression_ratio(text) if text.strip() else 0.0


def repetition(text: str, thresholds: Thresholds = Thresholds()) -> str | None:
    """The phrase that ``text`` repeats in a row too often to be speech, or None.

    Words are compared lowercased without punctuation, so "the worlds, the worlds." repeats.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    for n in range(1, thresholds.max_ngram + 1):
        needed = thresholds.min_repeats + (1 if n == 1 else 0)
        if len(words) < n * needed:
            break
        for start in range(len(words) - n * needed + 1):
            phrase = words[start : start + n]
            repeats = 1
            while words[start + repeats * n : start + (repeats + 1) * n] == phrase:
                repeats += 1
            if repeats >= needed:
                return " ".join(phrase)
    return None


def judge(
    text: str,
    *,
    avg_logprob: float,
    no_speech_prob: float,
    ratio: float | None = None,
    thresholds: Thresholds = Thresholds(),
) -> list[str]:
    """The reasons not to trust a decoding of ``text`` (empty when it passes every check).

    The same rules as faster-whisper's ``generate_with_fallback``: a high compression ratio fails;
    a low average log-probability fails, and is read as "no speech" when the no-speech probability
    is high as well (faster-whisper would drop such a window). Plus :func:`repetition`.
    """
    if not text.strip():
        return []
    ratio = compression_ratio(text) if ratio is None else ratio
    reasons = []
    if repetition(text, thresholds):
        reasons.append(REPETITION)
    if thresholds.compression_ratio is not None and ratio > thresholds.compression_ratio:
        reasons.append(COMPRESSION)
    if thresholds.log_prob is not None and avg_logprob < thresholds.log_prob:
        if thresholds.no_speech is not None and no_speech_prob > thresholds.no_speech:
            reasons.append(NO_SPEECH)
        else:
            reasons.append(LOW_LOGPROB)
    return reasons
