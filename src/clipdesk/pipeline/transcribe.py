"""The speech pipeline: transcription, speakers and English translation, segment by segment.

The Whisper model is loaded once (:class:`Pipeline` holds it); :meth:`Pipeline.transcribe` returns
a lazy generator of :class:`Segment` and a :class:`TranscriptionInfo`, like faster-whisper itself.
Decoding happens while the generator is consumed, so a caller can store each segment, and the
progress ``info.progress(segment)`` (segment end / duration), as it arrives.

Decoding uses faster-whisper's ``BatchedInferencePipeline`` by default. Measured with Whisper base
int8 on 2 CPU cores (word timestamps and VAD on in both): on an 80-second concatenation of the
sample clips, real-time factor 0.14 batched against 0.33 sequential, word error rate 0.16 against
0.15 (one word); on the 127-second file of ``bench/ingest_bench.py`` (machine shared with other
jobs, so CPU time is the steadier figure), 16-19 CPU seconds against 21-23, WER 0.158 against
0.151. On jfk.flac (one 30-second window) both cost the same and make no error. The price is
memory: peak 0.9 GiB against 0.6 GiB with ``batch_size=8`` (lower it to save memory).
``PipelineOptions(batched=False)`` selects the sequential decoder.

The batched decoder returns one segment per VAD chunk of up to 30 s; with word timestamps on,
such segments are split at sentence ends and pauses (see :func:`_split_points`), so that a
segment stays a subtitle-sized unit for the speaker and translation steps.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel

from .audio import AudioData, decode_audio
from .models import load_whisper
from .speakers import analyse_channels, dominant_channel, embedding_speakers
from .translate import CTranslate2Translator, NoTranslator, Translator, WhisperTranslator, translate

__all__ = ["Pipeline", "PipelineOptions", "Segment", "TranscriptionInfo", "Word"]

logger = logging.getLogger(__name__)

SPEAKER_MODES = ("auto", "channels", "embeddings", "none")
TRANSLATE_MODES = ("whisper", "ctranslate2", "none")
# Sentence-final marks: Latin, CJK ideographic full stop and full-width ? and !, Arabic ?, ellipsis.
_SENTENCE_END = (".", "?", "!", "\u3002", "\uff1f", "\uff01", "\u061f", "\u2026")


@dataclass
class PipelineOptions:
    """What to run.

    ``language``: Whisper language code, or None to identify it. ``translate``: "whisper"
    (Whisper's own translate task), "ctranslate2" (a text model in ``translation_model``, a
    directory) or "none" (translations left empty for a human). Speech already in English is its
    own translation. ``speakers``: "auto" (one speaker per channel for a stereo recording whose
    channels carry different voices, else voice embeddings when ``resemblyzer`` is installed, else
    everyone is speaker 0), "channels", "embeddings", or "none" (speaker left None).
    """

    language: str | None = None
    batch_size: int = 8
    beam_size: int = 5
    vad: bool = True
    word_timestamps: bool = True
    batched: bool = True
    translate: str = "whisper"
    translation_model: str | None = None
    speakers: str = "auto"
    initial_prompt: str | None = None
    max_segment_ms: int = 12_000
    crosstalk_db: float = 10.0

    def __post_init__(self) -> None:
        if self.translate not in TRANSLATE_MODES:
            raise ValueError(f"translate must be one of {TRANSLATE_MODES}, not {self.translate!r}")
        if self.speakers not in SPEAKER_MODES:
            raise ValueError(f"speakers must be one of {SPEAKER_MODES}, not {self.speakers!r}")
        if self.translate == "ctranslate2" and not self.translation_model:
            raise ValueError('translate="ctranslate2" needs translation_model (a model directory)')
        if self.batch_size < 1 or self.beam_size < 1:
            raise ValueError("batch_size and beam_size must be at least 1")


@dataclass
class Word:
    start_ms: int
    end_ms: int
    text: str
    probability: float


@dataclass
class Segment:
    """A transcribed phrase. ``translation`` is its English text ("" when left to a human, None
    until translated); ``channel`` is the source channel for dual-channel recordings."""

    start_ms: int
    end_ms: int
    text: str
    words: list[Word] = field(default_factory=list)
    speaker: int | None = None
    language: str = ""
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    channel: int | None = None
    translation: str | None = None


@dataclass
class TranscriptionInfo:
    """Known before the first segment. ``speaker_mode`` is the mode actually used: "channels",
    "embeddings", "single" (everyone speaker 0) or "none"."""

    language: str
    language_probability: float
    duration: float
    duration_after_vad: float
    source_channels: int
    speaker_mode: str
    batched: bool

    def progress(self, segment: Segment) -> float:
        """Fraction of the recording done once ``segment`` has arrived."""
        if self.duration <= 0:
            return 1.0
        return min(1.0, max(0.0, segment.end_ms / 1000.0 / self.duration))


def _ms(seconds: float) -> int:
    return round(float(seconds) * 1000)


def _split_points(words: list, max_ms: int, pause_ms: int = 600, min_sentence_ms: int = 500) -> list[int]:
    """Indices of the words that start a new piece: after a sentence end (once the piece lasts
    ``min_sentence_ms``, so "Mr." stays attached), after a pause, or before a piece would run past
    ``max_ms``. ``words`` are faster-whisper words (times in seconds)."""
    points = []
    first = 0
    for index in range(1, len(words)):
        previous, word = words[index - 1], words[index]
        so_far = _ms(previous.end) - _ms(words[first].start)
        ended = previous.word.rstrip().endswith(_SENTENCE_END) and so_far >= min_sentence_ms
        gap = _ms(word.start) - _ms(previous.end)
        length = _ms(word.end) - _ms(words[first].start)
        if ended or gap >= pause_ms or length > max_ms:
            points.append(index)
            first = index
    return points


class Pipeline:
    """Holds the Whisper model (load it once per process) and runs recordings through it."""

    def __init__(
        self,
        model: WhisperModel | None = None,
        *,
        model_dir: str | os.PathLike | None = None,
        device: str = "auto",
        compute_type: str = "default",
        cpu_threads: int = 0,
    ):
        self.model = (
            model if model is not None else load_whisper(model_dir, device, compute_type, cpu_threads)
        )
        self._ct2: dict[str, CTranslate2Translator] = {}

    # -- public -----------------------------------------------------------------------------------

    def transcribe(
        self, audio: str | os.PathLike | AudioData, options: PipelineOptions | None = None
    ) -> tuple[Iterator[Segment], TranscriptionInfo]:
        """Starts a transcription: language identification and VAD run now, decoding lazily."""
        options = options or PipelineOptions()
        if not isinstance(audio, AudioData):
            audio = decode_audio(audio)
        if audio.sample_rate != 16000:
            raise ValueError(f"Whisper reads 16 kHz audio, not {audio.sample_rate} Hz: use decode_audio()")
        # Made now, so that a translation model that cannot load fails here, not mid-stream.
        translator = None if options.translate == "none" else self.translator(options, audio)
        mode = self._speaker_mode(audio, options)

        if mode == "channels":
            runs = [self._decode(audio.channels[c], options, channel=c) for c in (0, 1)]
            first = max((info for _, info in runs), key=lambda info: info.duration_after_vad)
            segments: Iterable[Segment] = heapq.merge(
                *(segs for segs, _ in runs), key=lambda s: (s.start_ms, s.end_ms)
            )
            segments = self._drop_crosstalk(segments, audio, options)
        else:
            segments, first = self._decode(audio.samples, options, channel=None)

        info = TranscriptionInfo(
            language=first.language,
            language_probability=float(first.language_probability),
            duration=audio.duration,
            duration_after_vad=float(first.duration_after_vad),
            source_channels=audio.source_channels,
            speaker_mode=mode,
            batched=options.batched,
        )
        segments = self._label_speakers(segments, mode, audio)
        segments = self._translate(segments, translator, options.batch_size)
        return segments, info

    def translator(self, options: PipelineOptions, audio: AudioData) -> Translator:
        """The translator ``options`` ask for (CTranslate2 models are loaded once and kept)."""
        if options.translate == "whisper":
            return WhisperTranslator(
                self.model, audio, beam_size=options.beam_size, batch_size=options.batch_size
            )
        if options.translate == "ctranslate2":
            key = os.fspath(options.translation_model)
            if key not in self._ct2:
                self._ct2[key] = CTranslate2Translator(key)
            return self._ct2[key]
        return NoTranslator()

    # -- steps ------------------------------------------------------------------------------------

    def _speaker_mode(self, audio: AudioData, options: PipelineOptions) -> str:
        wanted = options.speakers
        if wanted == "none":
            return "none"
        if wanted in ("auto", "channels") and analyse_channels(audio).dual:
            return "channels"
        if wanted == "channels":
            return "single"
        if wanted in ("auto", "embeddings") and _resemblyzer_available():
            return "embeddings"
        if wanted == "embeddings":
            logger.warning("speakers='embeddings' needs the resemblyzer package; everyone is speaker 0")
        return "single"

    def _decode(self, signal: np.ndarray, options: PipelineOptions, channel: int | None):
        common = dict(
            language=options.language,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            initial_prompt=options.initial_prompt,
        )
        if options.batched:
            # One BatchedInferencePipeline per run: it keeps per-run state (last speech timestamp).
            batched = BatchedInferencePipeline(self.model)
            extra: dict = {"batch_size": options.batch_size}
            if not options.vad:
                duration = signal.shape[0] / 16000
                extra["clip_timestamps"] = [
                    {"start": t, "end": min(t + 30.0, duration)} for t in np.arange(0.0, duration, 30.0)
                ]
            fw_segments, info = batched.transcribe(signal, **common, **extra)
        else:
            fw_segments, info = self.model.transcribe(signal, vad_filter=options.vad, **common)
        return self._convert(fw_segments, info.language, channel, options), info

    @staticmethod
    def _convert(fw_segments, language: str, channel: int | None, options: PipelineOptions):
        for s in fw_segments:
            words = list(s.words or [])
            points = _split_points(words, options.max_segment_ms) if words else []
            bounds = [0, *points, len(words)]
            for piece_index, (a, b) in enumerate(itertools.pairwise(bounds)):
                piece = words[a:b]
                if points:
                    text = "".join(w.word for w in piece).strip()
                    start = _ms(piece[0].start) if piece_index else _ms(min(s.start, piece[0].start))
                    end = _ms(piece[-1].end) if b < len(words) else _ms(max(s.end, piece[-1].end))
                else:
                    text, start, end = s.text.strip(), _ms(s.start), _ms(s.end)
                if not text:
                    continue
                yield Segment(
                    start_ms=start,
                    end_ms=end,
                    text=text,
                    words=[
                        Word(_ms(w.start), _ms(w.end), w.word.strip(), float(w.probability)) for w in piece
                    ],
                    language=language,
                    avg_logprob=float(s.avg_logprob),
                    no_speech_prob=float(s.no_speech_prob),
                    channel=channel,
                )

    @staticmethod
    def _drop_crosstalk(segments: Iterable[Segment], audio: AudioData, options: PipelineOptions):
        """Drops a channel's segment when the other channel is much louder over its span: that
        microphone only picked up the other speaker."""
        for segment in segments:
            louder, lead = dominant_channel(audio, segment.start_ms, segment.end_ms)
            if louder != segment.channel and lead >= options.crosstalk_db:
                logger.debug("dropping crosstalk on channel %s: %r", segment.channel, segment.text)
                continue
            yield segment

    @staticmethod
    def _label_speakers(segments: Iterable[Segment], mode: str, audio: AudioData) -> Iterator[Segment]:
        if mode == "embeddings":
            # Clustering needs every segment: this mode yields once decoding is complete.
            collected = list(segments)
            labels = embedding_speakers(audio, [(s.start_ms, s.end_ms) for s in collected])
            for segment, label in zip(collected, labels or [0] * len(collected), strict=True):
                segment.speaker = label
                yield segment
            return
        for segment in segments:
            if mode == "channels":
                segment.speaker = segment.channel
            elif mode == "single":
                segment.speaker = 0
            yield segment

    @staticmethod
    def _translate(segments: Iterable[Segment], translator: Translator | None, batch_size: int):
        """Translates in groups of ``batch_size`` segments, so results still stream. Speech in
        English is its own translation; with no translator the translation is left ""."""
        pending: list[Segment] = []

        def flush() -> Iterator[Segment]:
            by_language: dict[str, list[Segment]] = {}
            for segment in pending:
                by_language.setdefault(segment.language, []).append(segment)
            for language, group in by_language.items():
                if language == "en":
                    texts = [s.text for s in group]
                elif translator is None:
                    texts = [""] * len(group)
                else:
                    texts = translate(translator, group, language)
                for segment, text in zip(group, texts, strict=True):
                    segment.translation = text
            yield from pending
            pending.clear()

        for segment in segments:
            pending.append(segment)
            if len(pending) >= batch_size:
                yield from flush()
        yield from flush()


def _resemblyzer_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("resemblyzer") is not None
