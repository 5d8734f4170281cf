"""English translations of transcript segments.

A :class:`Translator` returns exactly one English text per segment, in order; :func:`translate`
enforces that contract for any implementation, so a translator that drops or merges sentences
fails loudly instead of shifting every later translation onto the wrong segment.

* :class:`WhisperTranslator` re-decodes each segment's own audio span with Whisper's
  ``translate`` task. Chosen over translating the whole recording and aligning the output by
  time: Whisper's translated segments do not line up with the transcribed ones (it reorders and
  merges clauses), whereas one decode per span gives one text per segment by construction. Spans
  are batched through a single encoder/decoder call, so the cost is close to one more pass of the
  batched transcription.
* The live path (``Pipeline.transcribe_many``) drafts its lines with :class:`.drafts.WindowDrafts`
  instead, from the encoder output of the window each line was transcribed in; it hands what it
  cannot draft there to :class:`WhisperTranslator`.
* :class:`CTranslate2Translator` runs a CTranslate2 text translation model (Marian/OPUS-MT, NLLB,
  M2M100... converted with ``ct2-transformers-converter``) from a directory that also holds the
  model's ``tokenizer.json`` (read with the Hugging Face ``tokenizers`` library; sentencepiece is
  not needed).
* :class:`NoTranslator` returns "" for each segment: the translation is left to a human.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from .audio import AudioData
from .models import ModelError, _cpu_threads
from .safeguards import FALLBACK_TEMPERATURES, Thresholds, judge

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from .decoded import DecodedSegment
    from .transcribe import Segment

__all__ = [
    "CTranslate2Translator",
    "NoTranslator",
    "TranslationError",
    "Translator",
    "WhisperTranslator",
    "translate",
]


class TranslationError(RuntimeError):
    """A translator broke its contract (wrong number of texts) or cannot translate this input."""


@runtime_checkable
class Translator(Protocol):
    def translate(self, segments: Sequence[Segment], source_language: str) -> list[str]:
        """One English text per segment, in the same order."""
        ...


def translate(translator: Translator, segments: Sequence[Segment], source_language: str) -> list[str]:
    """Calls ``translator`` and checks that it returned one text per segment."""
    texts = list(translator.translate(segments, source_language))
    if len(texts) != len(segments):
        raise TranslationError(
            f"{type(translator).__name__} returned {len(texts)} translations for {len(segments)} "
            "segments; a translator must return exactly one text per segment."
        )
    if not all(isinstance(text, str) for text in texts):
        raise TranslationError(f"{type(translator).__name__} returned a translation that is not a string.")
    return texts


class NoTranslator:
    """Leaves every translation empty, for a human translator to fill in."""

    def translate(self, segments: Sequence[Segment], source_language: str) -> list[str]:
        return [""] * len(segments)


class WhisperTranslator:
    """Whisper's own speech-to-English translation, one decode per segment span, with the safeguards.

    ``audio`` is the recording the segments were transcribed from; a segment with a ``channel``
    (dual-channel recordings) is translated from that channel. ``pad_ms`` of context is added on
    each side of a span; a span is cut to Whisper's 30-second window.

    Spans are decoded by faster-whisper's batched pipeline (one span per item). With ``safeguards``
    on, a translation that fails the checks of :mod:`.safeguards` (it loops, or the decoder was
    unsure) is decoded again by faster-whisper's sequential ``transcribe`` with its temperature
    fallback and no conditioning on previous text; one that still fails is kept, and its segment is
    marked uncertain ("translation-" and the reason).
    """

    def __init__(
        self,
        model: WhisperModel,
        audio: AudioData,
        *,
        beam_size: int = 5,
        batch_size: int = 8,
        pad_ms: int = 200,
        safeguards: bool = True,
        thresholds: Thresholds | None = None,
    ):
        self.model = model
        self.audio = audio
        self.beam_size = beam_size
        self.batch_size = max(1, batch_size)
        self.pad_ms = pad_ms
        self.safeguards = safeguards
        self.thresholds = thresholds or Thresholds()

    def _signal(self, segment: Segment) -> np.ndarray:
        audio = self.audio
        if segment.channel is not None and segment.channel < len(audio.channels):
            return audio.channels[segment.channel]
        return audio.samples

    def _bounds(self, segment: Segment, signal: np.ndarray) -> tuple[int, int]:
        rate = self.audio.sample_rate
        start = max(0, (segment.start_ms - self.pad_ms) * rate // 1000)
        end = min(signal.shape[0], (segment.end_ms + self.pad_ms) * rate // 1000, start + 30 * rate)
        return start, end

    def _span(self, segment: Segment) -> np.ndarray:
        signal = self._signal(segment)
        start, end = self._bounds(segment, signal)
        return signal[start:end]

    def translate(self, segments: Sequence[Segment], source_language: str) -> list[str]:
        from faster_whisper import BatchedInferencePipeline
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        if not segments:
            return []
        if not self.model.model.is_multilingual:
            raise TranslationError("this Whisper model is English-only and cannot translate.")
        if source_language not in _LANGUAGE_CODES:
            raise TranslationError(f"Whisper does not know the language code {source_language!r}.")

        texts = [""] * len(segments)
        todo = [
            i
            for i, segment in enumerate(segments)
            if segment.text.strip() and segment.end_ms > segment.start_ms
        ]
        # One batched run per source signal (a channel of a dual-channel recording, or the mix).
        by_signal: dict[int | None, list[int]] = {}
        for i in todo:
            channel = segments[i].channel if segments[i].channel is not None else None
            by_signal.setdefault(channel, []).append(i)
        frames_per_second = self.model.frames_per_second
        rate = self.audio.sample_rate
        for indices in by_signal.values():
            signal = self._signal(segments[indices[0]])
            for offset in range(0, len(indices), self.batch_size):
                batch = indices[offset : offset + self.batch_size]
                bounds = [self._bounds(segments[i], signal) for i in batch]
                decoded, _ = BatchedInferencePipeline(self.model).transcribe(
                    signal,
                    language=source_language,
                    task="translate",
                    beam_size=self.beam_size,
                    batch_size=len(batch),
                    clip_timestamps=[{"start": a / rate, "end": b / rate} for a, b in bounds],
                    without_timestamps=True,
                    word_timestamps=False,
                )
                # Items come back in order; each is found by its window's start (its seek).
                results: list[list[DecodedSegment]] = [[] for _ in batch]
                seeks = [int(a / rate * frames_per_second) for a, _ in bounds]
                item = 0
                for result in decoded:
                    while item < len(batch) - 1 and seeks[item] != result.seek:
                        item += 1
                    results[item].append(result)
                for i, (a, b), parts in zip(batch, bounds, results, strict=True):
                    texts[i] = self._checked(segments[i], signal[a:b], parts, source_language)
        return texts

    def _checked(
        self, segment: Segment, span: np.ndarray, parts: list[DecodedSegment], source_language: str
    ) -> str:
        text = " ".join(p.text.strip() for p in parts).strip()
        if not self.safeguards or not parts:
            return text
        reasons = judge(
            text,
            avg_logprob=min(p.avg_logprob for p in parts),
            no_speech_prob=max(p.no_speech_prob for p in parts),
            thresholds=self.thresholds,
        )
        if not reasons:
            return text
        t = self.thresholds
        again, _ = self.model.transcribe(
            span,
            language=source_language,
            task="translate",
            beam_size=self.beam_size,
            vad_filter=False,
            without_timestamps=True,
            temperature=list(FALLBACK_TEMPERATURES),
            compression_ratio_threshold=t.compression_ratio,
            log_prob_threshold=t.log_prob,
            no_speech_threshold=t.no_speech,
            condition_on_previous_text=False,
        )
        again = [p for p in again if p.text.strip()]
        if again:
            text = " ".join(p.text.strip() for p in again)
            reasons = [
                reason
                for p in again
                for reason in judge(
                    p.text,
                    avg_logprob=p.avg_logprob,
                    no_speech_prob=p.no_speech_prob,
                    ratio=p.compression_ratio,
                    thresholds=t,
                )
            ]
        for reason in dict.fromkeys(reasons):
            if f"translation-{reason}" not in segment.uncertain:
                segment.uncertain.append(f"translation-{reason}")
        return text


class CTranslate2Translator:
    """A CTranslate2 translation model plus its Hugging Face ``tokenizer.json``.

    ``source_prefix`` maps a Whisper language code to tokens put before the source (NLLB:
    ``{"ar": ["arb_Arab"]}``); ``target_prefix`` starts every output (NLLB: ``["eng_Latn"]``) and
    is removed from the result. Marian/OPUS-MT models need neither.
    """

    def __init__(
        self,
        model_dir: str | os.PathLike[str],
        *,
        device: str = "auto",
        compute_type: str = "default",
        cpu_threads: int = 0,
        beam_size: int = 4,
        max_decoding_length: int = 256,
        source_prefix: Mapping[str, Sequence[str]] | None = None,
        target_prefix: Sequence[str] = (),
    ):
        import ctranslate2
        import tokenizers

        directory = Path(model_dir)
        missing = [
            name
            for name in ("model.bin", "config.json", "tokenizer.json")
            if not (directory / name).is_file()
        ]
        if missing:
            raise ModelError(
                f"translation model directory {directory} is missing {', '.join(missing)}; it must hold "
                "a CTranslate2 translation model and the model's tokenizer.json."
            )
        try:
            self._translator = ctranslate2.Translator(
                str(directory),
                device=device,
                compute_type=compute_type,
                intra_threads=_cpu_threads(cpu_threads),
            )
            self._tokenizer = tokenizers.Tokenizer.from_file(str(directory / "tokenizer.json"))
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"translation model in {directory} cannot be loaded: {exc}") from exc
        self.beam_size = beam_size
        self.max_decoding_length = max_decoding_length
        self.source_prefix = dict(source_prefix or {})
        self.target_prefix = list(target_prefix)

    def _detokenize(self, tokens: list[str]) -> str:
        if self.target_prefix and tokens[: len(self.target_prefix)] == self.target_prefix:
            tokens = tokens[len(self.target_prefix) :]
        ids = [i for i in (self._tokenizer.token_to_id(t) for t in tokens) if i is not None]
        return self._tokenizer.decode(ids, skip_special_tokens=True).strip()

    def translate(self, segments: Sequence[Segment], source_language: str) -> list[str]:
        texts = [""] * len(segments)
        todo = [i for i, segment in enumerate(segments) if segment.text.strip()]
        if not todo:
            return texts
        prefix = list(self.source_prefix.get(source_language, ()))
        sources = [prefix + self._tokenizer.encode(segments[i].text.strip()).tokens for i in todo]
        results = self._translator.translate_batch(
            sources,
            target_prefix=[list(self.target_prefix) for _ in todo] if self.target_prefix else None,
            beam_size=self.beam_size,
            max_decoding_length=self.max_decoding_length,
        )
        for i, result in zip(todo, results, strict=True):
            texts[i] = self._detokenize(result.hypotheses[0])
        return texts
