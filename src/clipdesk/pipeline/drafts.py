"""Cheap English drafts of live lines, decoded from the encoder output their transcription computed.

The live path (:meth:`.Pipeline.transcribe_many`) encodes each packed window of speech once, to
transcribe it. :class:`WindowDrafts` translates every line from that same encoder output: the
decoder runs Whisper's ``translate`` task with timestamps, prompted with the timestamp token of the
line's start in the packed window (``<|sot|><|ar|><|translate|><|t_start|>``), and the draft is
the text up to the first timestamp after it (the end of that segment). Nothing is encoded again,
and the lines of every window are decoded in shared batches (lines of similar length together,
each batch bounded by its lines' own token counts), so a draft costs a short decode where
:class:`.WhisperTranslator` spends a 30-second encoder pass and a decode on each line.

A draft must be of its line alone. One that closes more than ``slack_ms`` after the line's end,
or has not closed within its line's token count plus ``EXTRA_TOKENS``, may hold the next line's
words, and is not used unless it is a loop (see below); such a line, and a line that lies in
no single window (one joined across a window's edge), goes to the ``fallback`` translator (a
:class:`.WhisperTranslator`, which decodes it from its own audio). So each line gets one English
text, its own, in order.

The safeguards of :mod:`.safeguards` judge each draft (it loops, or the decoder was unsure); a
draft that fails them is kept and its line marked uncertain ("translation-" and the reason), as
:class:`.WhisperTranslator` marks what still fails after its temperature fallback; a loop is cut
at its line's token count. Drafts are not decoded again at higher temperatures: on the live path
that would cost what the drafts save.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ctranslate2
import numpy as np

from .safeguards import COMPRESSION, REPETITION, Thresholds, judge
from .translate import TranslationError, Translator, translate

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from .transcribe import Segment

__all__ = ["EncodedWindow", "WindowDrafts"]

RATE = 16000
SAMPLES_PER_FRAME = 320  # an encoder frame is two 10-ms feature frames
EXTRA_TOKENS = 8  # a draft may run this many tokens past its line's own count


@dataclass(frozen=True)
class EncodedWindow:
    """A decoded window: its voice-activity chunks (sample spans on the signal the lines' times are
    on), packed back to back as it was encoded, and the encoder output of that packed speech
    (frames x width)."""

    chunks: Sequence[tuple[int, int]]
    encoded: np.ndarray

    @property
    def start(self) -> int:
        return self.chunks[0][0]

    @property
    def end(self) -> int:
        return self.chunks[-1][1]

    def packed(self, sample: int) -> int:
        """Where ``sample`` of the signal lies in the packed speech (a silence left out between two
        chunks maps to the start of the next one)."""
        offset = 0
        for start, end in self.chunks:
            if sample < start:
                return offset
            if sample < end:
                return offset + sample - start
            offset += end - start
        return offset

    def frames(self, start: int, end: int, pad: int) -> tuple[int, int]:
        """The encoder frames of the signal's samples ``start`` to ``end``, ``pad`` samples of packed
        speech added on each side."""
        speech = sum(b - a for a, b in self.chunks)
        first = max(0, self.packed(start) - pad)
        last = min(speech, self.packed(end) + pad)
        count = self.encoded.shape[0]
        return min(count, first // SAMPLES_PER_FRAME), min(count, -(-last // SAMPLES_PER_FRAME))


class WindowDrafts:
    """One English draft per line, decoded from the encoder output of the window each line was
    transcribed in (``windows``, on the same signal as the lines' times). ``fallback`` translates
    what cannot be drafted here (see the module's docstring)."""

    def __init__(
        self,
        model: WhisperModel,
        windows: Sequence[EncodedWindow],
        fallback: Translator,
        *,
        beam_size: int = 5,
        batch_size: int = 8,
        slack_ms: int = 1500,
        safeguards: bool = True,
        thresholds: Thresholds | None = None,
    ):
        self.model = model
        self.windows = list(windows)
        self.fallback = fallback
        self.beam_size = max(1, beam_size)
        self.batch_size = max(1, batch_size)
        self.slack = slack_ms * RATE // 1000
        self.safeguards = safeguards
        self.thresholds = thresholds or Thresholds()

    def window_of(self, segment: Segment) -> EncodedWindow | None:
        """The window that holds all of ``segment``'s speech, or None (a line joined across two)."""
        start, end = segment.start_ms * RATE // 1000, segment.end_ms * RATE // 1000
        slack = RATE // 5  # word times may reach a little past the chunks voice activity found
        for window in self.windows:
            if window.start - slack <= start and end <= window.end + slack:
                return window
        return None

    def translate(self, segments: Sequence[Segment], source_language: str) -> list[str]:
        from faster_whisper.tokenizer import _LANGUAGE_CODES, Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        if not segments:
            return []
        if not self.model.model.is_multilingual:
            raise TranslationError("this Whisper model is English-only and cannot translate.")
        if source_language not in _LANGUAGE_CODES:
            raise TranslationError(f"Whisper does not know the language code {source_language!r}.")
        tokenizer = Tokenizer(self.model.hf_tokenizer, True, task="translate", language=source_language)
        suppressed = list(get_suppressed_tokens(tokenizer, [-1]) or [])
        stamp = tokenizer.timestamp_begin

        texts = [""] * len(segments)
        again: list[int] = []  # for the fallback
        todo: list[_Draft] = []
        for index, segment in enumerate(segments):
            if not segment.text.strip() or segment.end_ms <= segment.start_ms:
                continue
            window = self.window_of(segment)
            if window is None:
                again.append(index)
                continue
            first, last = window.frames(segment.start_ms * RATE // 1000, segment.end_ms * RATE // 1000, 0)
            budget = len(tokenizer.encode(" " + segment.text.strip())) + EXTRA_TOKENS
            closes = last + self.slack // SAMPLES_PER_FRAME  # the latest end a draft of this line may have
            todo.append(_Draft(index, window, first, closes, budget))
        # Lines of similar length share a batch: a batch decodes until its longest line is done.
        todo.sort(key=lambda draft: draft.budget)
        for offset in range(0, len(todo), self.batch_size):
            batch = todo[offset : offset + self.batch_size]
            memory = np.stack([draft.window.encoded for draft in batch])
            prompts = [[*tokenizer.sot_sequence, stamp + min(draft.first, MAX_STAMP)] for draft in batch]
            # CTranslate2 decodes at most min(max_length / 2, max_length - prompt) new tokens.
            budget = max(draft.budget for draft in batch)
            results = self.model.model.generate(
                ctranslate2.StorageView.from_array(np.ascontiguousarray(memory)),
                prompts,
                beam_size=self.beam_size,
                max_length=2 * (budget + len(prompts[0])),
                return_scores=True,
                return_no_speech_prob=True,
                max_initial_timestamp_index=MAX_STAMP,
                suppress_blank=True,
                suppress_tokens=suppressed,
            )
            for draft, result in zip(batch, results, strict=True):
                tokens, closed, count = _segment(result.sequences_ids[0], stamp, tokenizer.eot)
                text = tokenizer.decode(tokens).strip()
                reasons = []
                if self.safeguards and text:
                    reasons = judge(
                        text,
                        avg_logprob=result.scores[0] * count / (count + 1),
                        no_speech_prob=result.no_speech_prob,
                        thresholds=self.thresholds,
                    )
                if closed is None or closed > draft.closes:
                    if not {REPETITION, COMPRESSION} & set(reasons):
                        # Unfinished within its line's bound or closed past it, and not a loop:
                        # it may hold the next line's words, so it is not taken.
                        again.append(draft.index)
                        continue
                    text = tokenizer.decode(tokens[: draft.budget]).strip()  # a loop, cut
                texts[draft.index] = text
                marks = segments[draft.index].uncertain
                marks += [f"translation-{r}" for r in reasons if f"translation-{r}" not in marks]
        if again:
            again.sort()
            lines = [segments[i] for i in again]
            for index, text in zip(again, translate(self.fallback, lines, source_language), strict=True):
                texts[index] = text
        return texts


MAX_STAMP = 1500  # <|30.00|>


@dataclass(frozen=True)
class _Draft:
    index: int  # of the line
    window: EncodedWindow
    first: int  # the line's first encoder frame in the window (its timestamp token)
    closes: int  # the last frame a draft of it may end on
    budget: int  # tokens it may take


def _segment(tokens: Sequence[int], stamp: int, eot: int) -> tuple[list[int], int | None, int]:
    """The text tokens of the first segment decoded (after the prompt's timestamp), the timestamp
    (frame) that closes it (None if none does), and the tokens it took, the closing one included."""
    text: list[int] = []
    position = 0
    while position < len(tokens) and tokens[position] >= stamp:
        position += 1  # the prompt's timestamp, as the decoder echoes it
    for token in tokens[position:]:
        if token >= stamp:
            return text, token - stamp, len(text) + 1
        if token == eot:
            break
        text.append(token)
    return text, None, len(text)
