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

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

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
    """Whisper's own speech-to-English translation, one decode per segment span.

    ``audio`` is the recording the segments were transcribed from; a segment with a ``channel``
    (dual-channel recordings) is translated from that channel. ``pad_ms`` of context is added on
    each side of a span; a span is cut to Whisper's 30-second window.
    """

    def __init__(
        self,
        model: WhisperModel,
        audio: AudioData,
        *,
        beam_size: int = 5,
        batch_size: int = 8,
        pad_ms: int = 200,
    ):
        self.model = model
        self.audio = audio
        self.beam_size = beam_size
        self.batch_size = max(1, batch_size)
        self.pad_ms = pad_ms

    def _span(self, segment: Segment) -> np.ndarray:
        audio = self.audio
        signal = audio.samples
        if segment.channel is not None and segment.channel < len(audio.channels):
            signal = audio.channels[segment.channel]
        rate = audio.sample_rate
        start = max(0, (segment.start_ms - self.pad_ms) * rate // 1000)
        end = min(signal.shape[0], (segment.end_ms + self.pad_ms) * rate // 1000, start + 30 * rate)
        return signal[start:end]

    def translate(self, segments: Sequence[Segment], source_language: str) -> list[str]:
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import _LANGUAGE_CODES, Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        if not segments:
            return []
        if not self.model.model.is_multilingual:
            raise TranslationError("this Whisper model is English-only and cannot translate.")
        if source_language not in _LANGUAGE_CODES:
            raise TranslationError(f"Whisper does not know the language code {source_language!r}.")
        tokenizer = Tokenizer(self.model.hf_tokenizer, True, task="translate", language=source_language)
        prompt = self.model.get_prompt(tokenizer, [], without_timestamps=True)
        suppress = get_suppressed_tokens(tokenizer, [-1])

        texts = [""] * len(segments)
        todo = [
            i
            for i, segment in enumerate(segments)
            if segment.text.strip() and segment.end_ms > segment.start_ms
        ]
        for offset in range(0, len(todo), self.batch_size):
            batch = todo[offset : offset + self.batch_size]
            features = np.stack(
                [pad_or_trim(self.model.feature_extractor(self._span(segments[i]))[..., :-1]) for i in batch]
            )
            encoded = self.model.encode(features)
            results = self.model.model.generate(
                encoded,
                [list(prompt) for _ in batch],
                beam_size=self.beam_size,
                max_length=self.model.max_length,
                suppress_blank=True,
                suppress_tokens=suppress,
            )
            for i, result in zip(batch, results, strict=True):
                texts[i] = tokenizer.decode(result.sequences_ids[0]).strip()
        return texts


class CTranslate2Translator:
    """A CTranslate2 translation model plus its Hugging Face ``tokenizer.json``.

    ``source_prefix`` maps a Whisper language code to tokens put before the source (NLLB:
    ``{"ar": ["arb_Arab"]}``); ``target_prefix`` starts every output (NLLB: ``["eng_Latn"]``) and
    is removed from the result. Marian/OPUS-MT models need neither.
    """

    def __init__(
        self,
        model_dir: str | os.PathLike,
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
