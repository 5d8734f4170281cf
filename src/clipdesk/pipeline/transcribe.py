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
such segments are split into lines at sentence ends and pauses, and lines cut by a window edge are
joined again (see :mod:`.lines`).

Voice-activity chunks are packed into windows of up to 30 seconds of speech without the silences
between them, as faster-whisper's own batched pipeline packs them, and the decoded times are put
back on the recording. Each window's language is read from the encoder output its decoding needs
anyway; a window the model is not sure of (it may hold two languages) is identified chunk by chunk
(:mod:`.languages`) and split into windows of one language, so a recording in two languages keeps
both. Measured on ``bench/ingest_bench.py``'s file (127 s, 2 cores, CPU time): 7.2 s against 9.6 s
when every chunk was encoded once more to identify its language and windows kept the silences,
the same words. After decoding, the safeguards of :mod:`.safeguards` decide whether a window is
decoded again with faster-whisper's temperature fallback, and mark what still fails uncertain.
"""

from __future__ import annotations

import dataclasses
import heapq
import inspect
import itertools
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

import ctranslate2
import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import Segment as FwSegment
from faster_whisper.transcribe import TranscriptionOptions, get_suppressed_tokens, restore_speech_timestamps
from faster_whisper.transcribe import Word as FwWord
from faster_whisper.vad import VadOptions, get_speech_timestamps

from . import languages, safeguards
from .audio import AudioData, decode_audio
from .drafts import EncodedWindow, WindowDrafts
from .lines import LineRules, join, split_points
from .models import load_whisper
from .safeguards import Thresholds
from .speakers import analyse_channels, dominant_channel, embedding_speakers
from .translate import CTranslate2Translator, NoTranslator, Translator, WhisperTranslator, translate

if TYPE_CHECKING:
    from .decoded import DecodedSegment

__all__ = ["Pipeline", "PipelineOptions", "Segment", "TranscriptionInfo", "Word"]

logger = logging.getLogger(__name__)

SPEAKER_MODES = ("auto", "channels", "embeddings", "none")
TRANSLATE_MODES = ("whisper", "ctranslate2", "none")
TRANSCRIBE, TRANSLATE = "transcribe", "translate"  # the steps ``progress`` is told of
WINDOW_S = 30.0  # Whisper's window
RATE = 16000
SHORT_CHUNK_S = 1.5  # languages.smooth: shorter chunks take their neighbours' language
IDENTIFY_S = 10  # a chunk's language is identified on its first seconds


@dataclass
class PipelineOptions:
    """What to run.

    ``language``: Whisper language code, or None to identify it per stretch of speech;
    ``languages``: the codes a channel usually broadcasts in, which narrow that identification.
    ``translate``: "whisper" (Whisper's own translate task), "ctranslate2" (a text model in
    ``translation_model``, a directory) or "none" (translations left empty for a human). Speech
    already in English is its own translation. ``speakers``: "auto" (one speaker per channel for a
    stereo recording whose channels carry different voices, else voice embeddings when
    ``resemblyzer`` is installed, else everyone is speaker 0), "channels", "embeddings", or "none"
    (speaker left None). ``safeguards``: re-decode what fails faster-whisper's checks with its
    temperature fallback, and mark what still fails uncertain (off only to measure their cost).
    ``one_language``: a window the model identifies at least this sure is decoded in that language;
    a less sure one (it may hold two languages, and Whisper then leans to either with 0.97) is
    identified chunk by chunk and split.
    """

    language: str | None = None
    languages: tuple[str, ...] = ()
    batch_size: int = 8
    beam_size: int = 5
    vad: bool = True
    word_timestamps: bool = True
    batched: bool = True
    translate: str = "whisper"
    translation_model: str | None = None
    speakers: str = "auto"
    initial_prompt: str | None = None
    safeguards: bool = True
    thresholds: Thresholds = field(default_factory=Thresholds)
    lines: LineRules = field(default_factory=LineRules)
    # A short chunk identified below this takes its longer neighbour's language.
    confident_language: float = 0.9
    # A window identified at least this sure is taken as one language; one less sure may hold
    # several, and each of its chunks is identified alone.
    one_language: float = 0.99
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
        self.languages = tuple(self.languages or ())


@dataclass
class Word:
    start_ms: int
    end_ms: int
    text: str
    probability: float


@dataclass
class Segment:
    """A transcribed line. ``translation`` is its English text ("" when left to a human, None
    until translated); ``channel`` is the source channel for dual-channel recordings.

    ``language`` is this line's own language and ``language_probability`` the model's belief in it;
    ``avg_logprob``, ``no_speech_prob`` and ``compression_ratio`` are the decoder's scores of the
    decoding it came from. ``uncertain`` lists why the line is not to be trusted (see
    :mod:`.safeguards`; "translation-..." for its English), empty when it passed every check."""

    start_ms: int
    end_ms: int
    text: str
    words: list[Word] = field(default_factory=list)
    speaker: int | None = None
    language: str = ""
    language_probability: float = 1.0
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    channel: int | None = None
    translation: str | None = None
    uncertain: list[str] = field(default_factory=list)


@dataclass
class TranscriptionInfo:
    """What the run is about. ``language`` and ``language_probability`` are those of the language
    spoken longest, and ``languages`` the seconds of speech per language: identification runs
    stretch by stretch, so they are final once the segments have been consumed (before that,
    ``language`` is the one asked for, or ""). ``speaker_mode`` is the mode actually used:
    "channels", "embeddings", "single" (everyone speaker 0) or "none"."""

    language: str
    language_probability: float
    duration: float
    duration_after_vad: float
    source_channels: int
    speaker_mode: str
    batched: bool
    languages: dict[str, float] = field(default_factory=dict)

    def progress(self, segment: Segment) -> float:
        """Fraction of the recording done once ``segment`` has arrived."""
        if self.duration <= 0:
            return 1.0
        return min(1.0, max(0.0, segment.end_ms / 1000.0 / self.duration))

    def note(self, segment: Segment) -> None:
        """Counts ``segment`` towards the languages spoken."""
        if not segment.language:
            return
        seconds = (segment.end_ms - segment.start_ms) / 1000
        before = self.languages.get(segment.language, 0.0)
        self.languages[segment.language] = before + seconds
        main = max(self.languages, key=lambda code: self.languages[code])
        if main == segment.language:
            # The probability of the main language: its lines' probabilities, weighted by length.
            weight = before / max(1e-9, before + seconds)
            if self.language != main:
                weight = 0.0 if before == 0 else weight
            previous = self.language_probability if self.language == main else segment.language_probability
            self.language_probability = previous * weight + segment.language_probability * (1 - weight)
        self.language = main


def _ms(seconds: float) -> int:
    return round(float(seconds) * 1000)


@dataclass
class _Window:
    """One decoding window: voice-activity chunks (sample spans) of one language, packed back to back
    without the silences between them (at most 30 seconds of speech), as faster-whisper's own
    batched pipeline packs them; :meth:`restore` puts the decoded times back on the recording's."""

    chunks: list[tuple[int, int]]
    language: str | None = None
    probability: float = 1.0
    signal: int = 0  # which recording's samples the chunks index (several decode in one batch)

    @property
    def start(self) -> int:
        return self.chunks[0][0]

    @property
    def end(self) -> int:
        return self.chunks[-1][1]

    @property
    def speech(self) -> int:
        """Samples of speech: the packed window's length."""
        return sum(end - start for start, end in self.chunks)

    def audio(self, signal: np.ndarray) -> np.ndarray:
        """The window's speech, packed."""
        return np.concatenate([signal[start:end] for start, end in self.chunks])

    def restore(self, segments: Iterable[DecodedSegment]) -> list[DecodedSegment]:
        """faster-whisper segments decoded from :meth:`audio`, with their and their words' times moved
        from the packed speech to the recording (faster-whisper's ``restore_speech_timestamps``)."""
        spans = [{"start": start, "end": end} for start, end in self.chunks]
        return list(restore_speech_timestamps(segments, spans, RATE))


def windows(
    chunks: list[dict[str, int]], labels: list[tuple[str, float]] | None = None, limit_s: float = WINDOW_S
) -> list[_Window]:
    """Packs consecutive voice-activity chunks into decoding windows of at most ``limit_s`` seconds of
    speech each and of one language (``labels``: each chunk's (language, probability), None when it
    is not known yet). The silences between chunks are left out: a window holds only speech, so a
    recording needs fewer windows, each decoded at the same cost. A window's probability is its
    chunks', weighted by their length (a short chunk, whose language came from its neighbours,
    weighs a tenth)."""
    result: list[_Window] = []
    weights: list[float] = []
    for index, chunk in enumerate(chunks):
        span = (int(chunk["start"]), int(chunk["end"]))
        language, probability = labels[index] if labels else (None, 1.0)
        # A chunk too short to be identified alone (it took its neighbours' language) counts little.
        length = span[1] - span[0]
        if length < SHORT_CHUNK_S * RATE:
            length = length // 10 or 1
        current = result[-1] if result else None
        if current and current.language == language and current.speech + span[1] - span[0] <= limit_s * RATE:
            total = weights[-1] + length
            current.probability = (current.probability * weights[-1] + probability * length) / max(1, total)
            current.chunks.append(span)
            weights[-1] = total
        else:
            result.append(_Window([span], language, probability))
            weights.append(length)
    return result


# faster-whisper's batched ``transcribe`` defaults, for the options this module does not set.
_DEFAULTS = inspect.signature(BatchedInferencePipeline.transcribe).parameters


class _DecodedItem(TypedDict):
    """What faster-whisper's batched ``forward`` expects of each decoded item."""

    avg_logprob: float
    no_speech_prob: float
    tokens: list[int]


class _Decoder(BatchedInferencePipeline):  # type: ignore[misc]  # faster-whisper ships no types
    """faster-whisper's batched decoder, run on windows this module packs, each window decoded in its
    own language (faster-whisper gives a whole batch one language), from an encoder output computed
    once: the same output tells each window's language (:meth:`Pipeline._identify_windows`)."""

    def __init__(self, model: WhisperModel):
        super().__init__(model)
        self.languages: list[str | None] = []
        self.encoded: ctranslate2.StorageView | None = None
        self.last: ctranslate2.StorageView | None = None
        # Each decoded window with its encoder output, while a caller collects them (English drafts).
        self.kept: list[tuple[_Window, np.ndarray]] | None = None

    def generate_segment_batched(
        self, features: np.ndarray, tokenizer: Tokenizer, options: TranscriptionOptions
    ) -> tuple[ctranslate2.StorageView, list[_DecodedItem]]:
        # faster-whisper 1.2.1's own, with the encoder output given and each item's language token.
        prompt = self.model.get_prompt(
            tokenizer,
            previous_tokens=(
                tokenizer.encode(options.initial_prompt) if options.initial_prompt is not None else []
            ),
            without_timestamps=options.without_timestamps,
            hotwords=options.hotwords,
        )
        encoder_output = self.encoded if self.encoded is not None else self.model.encode(features)
        self.last = encoder_output
        prompts = [prompt.copy() for _ in range(features.shape[0])]
        if tokenizer.language is not None:
            index = prompt.index(tokenizer.language)
            for i, language in enumerate(self.languages):
                if language:
                    prompts[i][index] = tokenizer.tokenizer.token_to_id(f"<|{language}|>")
        results = self.model.model.generate(
            encoder_output,
            prompts,
            beam_size=options.beam_size,
            patience=options.patience,
            length_penalty=options.length_penalty,
            max_length=self.model.max_length,
            suppress_blank=options.suppress_blank,
            suppress_tokens=options.suppress_tokens,
            return_scores=True,
            return_no_speech_prob=True,
            sampling_temperature=options.temperatures[0],
            repetition_penalty=options.repetition_penalty,
            no_repeat_ngram_size=options.no_repeat_ngram_size,
        )
        output: list[_DecodedItem] = []
        for result in results:
            length = len(result.sequences_ids[0])
            cumulative = result.scores[0] * (length**options.length_penalty)
            output.append(
                _DecodedItem(
                    avg_logprob=cumulative / (length + 1),
                    no_speech_prob=result.no_speech_prob,
                    tokens=result.sequences_ids[0],
                )
            )
        return encoder_output, output

    def decode(
        self,
        features: np.ndarray,
        batch: list[_Window],
        options: PipelineOptions,
        encoded: ctranslate2.StorageView | None = None,
    ) -> list[list[DecodedSegment]]:
        """Each window's faster-whisper segments (times in its packed speech), in one batched run;
        ``encoded``: the encoder output of ``features`` when it was computed already."""
        self.languages, self.encoded = [w.language for w in batch], encoded
        multilingual = self.model.model.is_multilingual
        tokenizer = Tokenizer(
            self.model.hf_tokenizer,
            multilingual,
            task="transcribe",
            language=(batch[0].language or "en") if multilingual else None,
        )
        # The options faster-whisper's batched ``transcribe`` sets (one temperature, no conditioning).
        fw_options = TranscriptionOptions(
            beam_size=options.beam_size,
            best_of=5,
            patience=1,
            length_penalty=1,
            repetition_penalty=1,
            no_repeat_ngram_size=0,
            log_prob_threshold=-1.0,
            no_speech_threshold=0.6,
            compression_ratio_threshold=2.4,
            temperatures=[0.0],
            initial_prompt=options.initial_prompt,
            prefix=None,
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
            prepend_punctuations=_DEFAULTS["prepend_punctuations"].default,
            append_punctuations=_DEFAULTS["append_punctuations"].default,
            max_new_tokens=None,
            hotwords=None,
            word_timestamps=options.word_timestamps,
            hallucination_silence_threshold=None,
            condition_on_previous_text=False,
            clip_timestamps=[],
            prompt_reset_on_temperature=0.5,
            multilingual=False,
            without_timestamps=True,
            max_initial_timestamp=0.0,
        )
        metadata = [{"offset": 0.0, "duration": w.speech / RATE, "segments": []} for w in batch]
        self.last_speech_timestamp = 0.0
        try:
            outputs = self.forward(features, tokenizer, metadata, fw_options)
            if self.kept is not None and self.last is not None:
                self.kept.extend(zip(batch, _host(self.last), strict=True))
        finally:
            self.encoded = self.last = None
        return [
            [
                FwSegment(
                    id=0,
                    seek=0,
                    start=round(s["start"], 3),
                    end=round(s["end"], 3),
                    text=s["text"],
                    tokens=s["tokens"],
                    avg_logprob=s["avg_logprob"],
                    compression_ratio=s["compression_ratio"],
                    no_speech_prob=s["no_speech_prob"],
                    words=[FwWord(**w) for w in s["words"]] if options.word_timestamps else None,
                    temperature=0.0,
                )
                for s in window
            ]
            for window in outputs
        ]


class Pipeline:
    """Holds the Whisper model (load it once per process) and runs recordings through it."""

    def __init__(
        self,
        model: WhisperModel | None = None,
        *,
        model_dir: str | os.PathLike[str] | None = None,
        device: str = "auto",
        compute_type: str = "default",
        cpu_threads: int = 0,
    ):
        self.model = (
            model if model is not None else load_whisper(model_dir, device, compute_type, cpu_threads)
        )
        self._ct2: dict[str, CTranslate2Translator] = {}
        self._decoder = _Decoder(self.model)
        # transcribe_many: each signal's languages, and the recordings laid end to end in it.
        self._allowed: dict[int, tuple[str, ...]] = {}
        self._bounds: dict[int, list[tuple[int, int, int]]] = {}

    # -- public -----------------------------------------------------------------------------------

    def transcribe(
        self,
        audio: str | os.PathLike[str] | AudioData,
        options: PipelineOptions | None = None,
        progress: Callable[[str, float], None] | None = None,
    ) -> tuple[Iterator[Segment], TranscriptionInfo]:
        """Starts a transcription: voice activity runs now, identification, decoding and translation
        lazily. ``progress(step, fraction)`` is told the fraction of the recording done as each line
        is decoded (step "transcribe") and as each group of lines is translated ("translate"), so
        that a caller (ingest) can show what runs without running a step itself."""
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
            after_vad = max(after for _, after in runs)
            segments: Iterable[Segment] = heapq.merge(
                *(segs for segs, _ in runs), key=lambda s: (s.start_ms, s.end_ms)
            )
            segments = self._drop_crosstalk(segments, audio, options)
        else:
            segments, after_vad = self._decode(audio.samples, options, channel=None)

        info = TranscriptionInfo(
            language=options.language or "",
            language_probability=1.0 if options.language else 0.0,
            duration=audio.duration,
            duration_after_vad=after_vad,
            source_channels=audio.source_channels,
            speaker_mode=mode,
            batched=options.batched,
        )
        segments = self._label_speakers(segments, mode, audio)
        report = progress or (lambda step, fraction: None)
        segments = self._reported(segments, info, report)
        segments = self._translate(segments, translator, options.batch_size, info, report)
        return self._noted(segments, info), info

    def transcribe_many(
        self,
        audios: Sequence[AudioData],
        options: PipelineOptions | Sequence[PipelineOptions] | None = None,
    ) -> list[tuple[list[Segment], TranscriptionInfo]]:
        """Several short recordings at once (a live window of each of several channels): their
        voice-activity chunks are packed into windows as :meth:`transcribe` packs one recording's,
        and the windows of all of them share the decoder's batches, so that many short recordings
        cost what one long one does. Each recording's lines come back whole, joined and translated
        as :meth:`transcribe` gives them, with its own info; speakers are not told apart (the mono
        mix is read, every ``speaker`` is None). Eager: a list per recording, in order. English
        drafts (``translate="whisper"``) are decoded from the encoder output of the window each
        line was transcribed in (:mod:`.drafts`), not from the line's audio encoded again.

        ``options`` may be one per recording: each recording's ``languages`` and ``translate`` are
        its own; how to decode (batch and beam size, VAD, thresholds...) is the first's."""
        if options is not None and not isinstance(options, PipelineOptions):
            each = list(options)
            if len(each) != len(audios):
                raise ValueError("transcribe_many needs one PipelineOptions per recording, or one for all")
        else:
            each = [options or PipelineOptions()] * len(audios)
        options = each[0] if each else PipelineOptions()
        if any(o.language != options.language for o in each):
            raise ValueError(
                "transcribe_many decodes every recording in the same given language, or identifies each"
            )
        for audio in audios:
            if audio.sample_rate != RATE:
                raise ValueError(
                    f"Whisper reads 16 kHz audio, not {audio.sample_rate} Hz: use decode_audio()"
                )
        if not options.batched:
            results = []
            for audio, own in zip(audios, each, strict=True):
                single = dataclasses.replace(own, speakers="none")
                stream, info = self.transcribe(audio, single)
                results.append((list(stream), info))
            return results
        # Recordings that may speak the same languages are laid end to end as one signal, so that
        # their speech is packed into shared windows: a window holds up to 30 s of speech, and a
        # live window of one channel seldom has that much.
        groups: dict[tuple[str, ...], list[int]] = {}
        for index, own in enumerate(each):
            groups.setdefault(own.languages, []).append(index)
        signals: list[np.ndarray] = []
        bounds: list[list[tuple[int, int, int]]] = []  # per signal: (recording, first sample, end)
        todo: list[_Window] = []
        after_vad = [0.0] * len(audios)
        self._allowed, self._bounds = {}, {}
        for group, (codes, members) in enumerate(groups.items()):
            chunks: list[dict[str, int]] = []
            offset, parts, spans = 0, [], []
            for index in members:
                samples = audios[index].samples
                found_chunks = self._chunks(samples, options)
                after_vad[index] = sum(c["end"] - c["start"] for c in found_chunks) / RATE
                chunks += [{"start": c["start"] + offset, "end": c["end"] + offset} for c in found_chunks]
                spans.append((index, offset, offset + samples.shape[0]))
                parts.append(samples)
                offset += samples.shape[0]
            signals.append(np.concatenate(parts))
            bounds.append(spans)
            todo += self._pack(chunks, group, options)
            self._allowed[group] = codes
            self._bounds[group] = spans
        found: list[list[Segment]] = [[] for _ in audios]
        # English drafts are decoded from the windows' encoder outputs (see _translate_many).
        self._decoder.kept = [] if any(own.translate == "whisper" for own in each) else None
        try:
            for group, line in self._decode_windows(signals, todo, options, None):
                for index, piece in _apart(line, bounds[group]):
                    found[index].append(piece)
        finally:
            self._allowed, self._bounds = {}, {}
            kept, self._decoder.kept = self._decoder.kept or [], None
        results = []
        joined = [list(join(lines, options.lines)) for lines in found]
        self._translate_many(signals, bounds, joined, each, options, kept)
        for audio, lines, speech in zip(audios, joined, after_vad, strict=True):
            info = TranscriptionInfo(
                language=options.language or "",
                language_probability=1.0 if options.language else 0.0,
                duration=audio.duration,
                duration_after_vad=speech,
                source_channels=audio.source_channels,
                speaker_mode="none",
                batched=True,
            )
            results.append((list(self._noted(lines, info)), info))
        return results

    def _translate_many(
        self,
        signals: list[np.ndarray],
        bounds: list[list[tuple[int, int, int]]],
        lines: list[list[Segment]],
        each: Sequence[PipelineOptions],
        options: PipelineOptions,
        kept: Sequence[tuple[_Window, np.ndarray]] = (),
    ) -> None:
        """The English of every recording's lines (in place), the lines of the recordings laid end
        to end in one signal translated in shared batches. A recording whose options say
        ``translate="none"`` gets none (an English line is still its own).

        With ``translate="whisper"``, each line is drafted from the encoder output of the window it
        was transcribed in (``kept``: each decoded window and its encoder output), by
        :class:`.WindowDrafts`; what that cannot draft, or drafts badly, goes to
        :class:`.WhisperTranslator`."""
        quiet = lambda step, fraction: None  # noqa: E731  no progress to report here
        for group, spans in enumerate(bounds):
            wanted = [
                (index, first)
                for index, first, _ in spans
                if each[index].translate != "none" and lines[index]
            ]
            chosen = {index for index, _ in wanted}
            for index, _, _ in spans:
                if index not in chosen:  # English lines are still their own translation
                    for _ in self._translate(lines[index], None, options.batch_size, _info(), quiet):
                        pass
            if not wanted:
                continue
            audio = AudioData(signals[group], RATE)
            own = each[wanted[0][0]]
            translator = self.translator(own, audio)
            if own.translate == "whisper":
                translator = WindowDrafts(
                    self.model,
                    [EncodedWindow(w.chunks, encoded) for w, encoded in kept if w.signal == group],
                    fallback=translator,
                    beam_size=own.beam_size,
                    batch_size=options.batch_size,
                    safeguards=own.safeguards,
                    thresholds=own.thresholds,
                )
            pool: list[Segment] = []
            for index, first in wanted:
                shift = first * 1000 // RATE  # the line's times on the signal the translator reads
                for line in lines[index]:
                    line.start_ms, line.end_ms = line.start_ms + shift, line.end_ms + shift
                    pool.append(line)
            try:
                # All at once: nothing streams here, and the translator batches the lines itself.
                for _ in self._translate(pool, translator, max(1, len(pool)), _info(), quiet):
                    pass
            finally:
                for index, first in wanted:
                    shift = first * 1000 // RATE
                    for line in lines[index]:
                        line.start_ms, line.end_ms = line.start_ms - shift, line.end_ms - shift

    def translator(self, options: PipelineOptions, audio: AudioData) -> Translator:
        """The translator ``options`` ask for (CTranslate2 models are loaded once and kept)."""
        if options.translate == "whisper":
            return WhisperTranslator(
                self.model,
                audio,
                beam_size=options.beam_size,
                batch_size=options.batch_size,
                safeguards=options.safeguards,
                thresholds=options.thresholds,
            )
        if options.translate == "ctranslate2":
            if options.translation_model is None:  # checked at construction; options may change since
                raise ValueError('translate="ctranslate2" needs translation_model (a model directory)')
            key = os.fspath(options.translation_model)
            if key not in self._ct2:
                self._ct2[key] = CTranslate2Translator(key)
            return self._ct2[key]
        return NoTranslator()

    # -- steps ------------------------------------------------------------------------------------

    @staticmethod
    def _noted(segments: Iterable[Segment], info: TranscriptionInfo) -> Iterator[Segment]:
        for segment in segments:
            info.note(segment)
            yield segment

    @staticmethod
    def _reported(
        segments: Iterable[Segment], info: TranscriptionInfo, report: Callable[[str, float], None]
    ) -> Iterator[Segment]:
        for segment in segments:
            report(TRANSCRIBE, info.progress(segment))
            yield segment

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

    def _decode(
        self, signal: np.ndarray, options: PipelineOptions, channel: int | None
    ) -> tuple[Iterator[Segment], float]:
        """The lines of one signal, lazily, and its seconds of speech."""
        if not options.batched:
            fw_segments, info = self.model.transcribe(
                signal,
                language=options.language,
                beam_size=options.beam_size,
                word_timestamps=options.word_timestamps,
                initial_prompt=options.initial_prompt,
                vad_filter=options.vad,
                condition_on_previous_text=False,
            )
            probability = float(info.language_probability)
            if options.language is None and options.languages and info.language not in options.languages:
                # faster-whisper identified a language the channel does not speak: decode again in the
                # channel's language that the model finds most likely.
                language, probability = languages.choose(info.all_language_probs or [], options.languages)
                fw_segments, info = self.model.transcribe(
                    signal,
                    language=language,
                    beam_size=options.beam_size,
                    word_timestamps=options.word_timestamps,
                    initial_prompt=options.initial_prompt,
                    vad_filter=options.vad,
                    condition_on_previous_text=False,
                )
            lines: Iterator[Segment] = (
                line
                for s in fw_segments
                for line in self._lines(s, 0.0, info.language, probability, [], channel, options)
            )
            return lines, float(info.duration_after_vad)

        chunks = self._chunks(signal, options)
        after_vad = sum(c["end"] - c["start"] for c in chunks) / RATE
        lines = (
            line
            for _, line in self._decode_windows([signal], self._pack(chunks, 0, options), options, channel)
        )
        return join(lines, options.lines), after_vad

    @staticmethod
    def _chunks(signal: np.ndarray, options: PipelineOptions) -> list[dict[str, int]]:
        """The stretches of speech to decode: voice activity, or 30-second slices without it."""
        if options.vad:
            found: list[dict[str, int]] = get_speech_timestamps(
                signal, VadOptions(max_speech_duration_s=WINDOW_S, min_silence_duration_ms=160)
            )
            return found
        step = int(WINDOW_S * RATE)
        return [{"start": s, "end": min(s + step, signal.shape[0])} for s in range(0, signal.shape[0], step)]

    def _known_language(self, options: PipelineOptions) -> str | None:
        return options.language or (None if self.model.model.is_multilingual else "en")

    def _pack(self, chunks: list[dict[str, int]], signal: int, options: PipelineOptions) -> list[_Window]:
        """Chunks of recording number ``signal`` packed into decoding windows (see :func:`windows`).

        With the language given (or an English-only model) the windows are of that language. Else
        each window's language is read later from the encoder output its decoding needs anyway
        (:meth:`_identify_windows`)."""
        known = self._known_language(options)
        packed = windows(chunks, [(known, 1.0)] * len(chunks)) if known else windows(chunks)
        for window in packed:
            window.signal = signal
        return packed

    def _decode_windows(
        self, signals: list[np.ndarray], todo: list[_Window], options: PipelineOptions, channel: int | None
    ) -> Iterator[tuple[int, Segment]]:
        """Decodes windows (of one or several recordings: ``signals``, indexed by each window's
        ``signal``) batch by batch, in order, yielding (recording index, line).

        Identification costs almost nothing where a window is clearly in one language, and only a
        window in several is split, chunk by chunk, into windows of one language. Windows of several
        recordings share batches: short stretches of many channels fill a batch as one long
        recording's windows would."""
        known = self._known_language(options)
        for offset in range(0, len(todo), options.batch_size):
            batch = todo[offset : offset + options.batch_size]
            decoded: list[tuple[_Window, list[DecodedSegment]]] = []
            features = np.stack([pad_or_trim(self._features(w.audio(signals[w.signal]))) for w in batch])
            if known:
                decoded += zip(batch, self._decoder.decode(features, batch, options), strict=True)
            else:
                kept, split, encoded = self._identify_windows(signals, features, batch, options)
                if kept:
                    decoded += zip(
                        [batch[i] for i in kept],
                        self._decoder.decode(features[kept], [batch[i] for i in kept], options, encoded),
                        strict=True,
                    )
                if split:
                    split_features = np.stack(
                        [pad_or_trim(self._features(w.audio(signals[w.signal]))) for w in split]
                    )
                    decoded += zip(split, self._decoder.decode(split_features, split, options), strict=True)
            restored = self._recover(signals, [(w, w.restore(fw)) for w, fw in decoded], options)
            for window, fw_segments in sorted(restored, key=lambda pair: (pair[0].signal, pair[0].start)):
                signal = signals[window.signal]
                # In air order: speech decoded again (see _recover) may come before lines heard first.
                lines = self._checked(signal, window, fw_segments, options, channel)
                for line in sorted(lines, key=lambda line: (line.start_ms, line.end_ms)):
                    yield window.signal, line

    def _recover(
        self,
        signals: list[np.ndarray],
        decoded: list[tuple[_Window, list[DecodedSegment]]],
        options: PipelineOptions,
    ) -> list[tuple[_Window, list[DecodedSegment]]]:
        """Speech the batched decoder skipped, decoded again. Without timestamps, Whisper may end a
        packed window early (after a jingle, say) and leave whole stretches of speech without a
        word; such stretches (voice-activity chunks of a second or more, in windows where other
        chunks were heard) are packed into windows of their own and decoded once more, and what
        they give joins their window's segments (times on the recording, as ``decoded``'s)."""
        retries: list[tuple[int, _Window]] = []
        for position, (window, segments) in enumerate(decoded):
            heard = [(w.start + w.end) / 2 * RATE for s in segments for w in (s.words or [])]
            if not heard:
                continue  # nothing heard at all (music, a tone): nothing to compare with
            missed = [
                (start, end)
                for start, end in window.chunks
                if end - start >= RATE and not any(start <= at < end for at in heard)
            ]
            if missed:
                retries.append(
                    (position, _Window(missed, window.language, window.probability, window.signal))
                )
        if not retries:
            return decoded
        logger.info("decoding again %d stretch(es) of speech the batched decoder skipped", len(retries))
        result = [(window, list(segments)) for window, segments in decoded]
        for offset in range(0, len(retries), options.batch_size):
            batch = retries[offset : offset + options.batch_size]
            windows_ = [w for _, w in batch]
            features = np.stack([pad_or_trim(self._features(w.audio(signals[w.signal]))) for w in windows_])
            for (position, window), fw in zip(
                batch, self._decoder.decode(features, windows_, options), strict=True
            ):
                result[position][1].extend(window.restore(fw))
                result[position][1].sort(key=lambda segment: segment.start)
        return result

    def _features(self, audio: np.ndarray) -> np.ndarray:
        features: np.ndarray = self.model.feature_extractor(audio)
        return features[..., :-1]

    def _identify_windows(
        self, signals: list[np.ndarray], features: np.ndarray, batch: list[_Window], options: PipelineOptions
    ) -> tuple[list[int], list[_Window], ctranslate2.StorageView]:
        """Sets the language of each window of ``batch`` from its encoder output, as faster-whisper
        identifies a recording's language from its first window. A window identified below
        ``options.one_language`` may hold several languages: each of its chunks is identified
        alone (on its first ``IDENTIFY_S`` seconds), short chunks take their neighbours' language
        (:func:`languages.smooth`), and it is split into windows of one language.

        Returns the indices of the windows kept, the windows split from the others, and the
        encoder output of the kept ones (None when some were split: they are encoded again)."""
        encoded = self.model.encode(features)
        kept: list[int] = []
        split: list[_Window] = []
        for index, ranked in enumerate(self.model.model.detect_language(encoded)):
            window = batch[index]
            # Each recording's own languages where several are decoded together (transcribe_many).
            allowed = self._allowed.get(window.signal, options.languages)
            language, probability = languages.choose(ranked, allowed)
            if probability >= options.one_language or len(allowed) == 1:
                window.language, window.probability = language, probability
                kept.append(index)
                continue
            spans = [{"start": start, "end": end} for start, end in window.chunks]
            signal = signals[window.signal]
            found = languages.identify(
                self.model,
                [signal[start : min(end, start + IDENTIFY_S * RATE)] for start, end in window.chunks],
                allowed,
            )
            labels = languages.smooth(
                [(start * 1000 // RATE, end * 1000 // RATE) for start, end in window.chunks],
                found,
                min_ms=int(SHORT_CHUNK_S * 1000),
                confident=options.confident_language,
            )
            for piece in windows(spans, labels):
                piece.signal = window.signal
                split.append(piece)
        if split and kept:
            encoded = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.array(encoded)[kept]))
        return kept, split, encoded

    def _checked(
        self,
        signal: np.ndarray,
        window: _Window,
        fw_segments: list[DecodedSegment],
        options: PipelineOptions,
        channel: int | None,
    ) -> Iterator[Segment]:
        """The lines of one decoded window (``fw_segments``, in the recording's times), after the
        safeguards: a window whose decoding fails them is decoded again by faster-whisper's
        sequential ``transcribe`` with its temperature fallback; what still fails is kept, marked
        uncertain."""
        text = "".join(s.text for s in fw_segments).strip()
        # A window is decoded in its language: given, or identified (:meth:`_identify_windows`).
        language = window.language or ""
        reasons: list[str] = []
        if options.safeguards and fw_segments:
            first = fw_segments[0]  # the batched decoder scores the window as a whole
            found: set[str] = set()
            # Each recording's part of a window that packs several is judged alone: two channels
            # airing the same words are not a decoder stuck in a loop.
            for part in self._parts(window, fw_segments) or [text]:
                found.update(
                    safeguards.judge(
                        part,
                        avg_logprob=first.avg_logprob,
                        no_speech_prob=first.no_speech_prob,
                        thresholds=options.thresholds,
                    )
                )
            reasons = sorted(found)
        if reasons:
            logger.info(
                "re-decoding %.1f-%.1f s (%s): %r", window.start / RATE, window.end / RATE, reasons, text
            )
            again = window.restore(self._fallback(window.audio(signal), window.language, options))
            if again:
                for s in again:
                    still = safeguards.judge(
                        s.text,
                        avg_logprob=s.avg_logprob,
                        no_speech_prob=s.no_speech_prob,
                        ratio=s.compression_ratio,
                        thresholds=options.thresholds,
                    )
                    yield from self._lines(s, 0.0, language, window.probability, still, channel, options)
                return
            # faster-whisper found no speech in it at all: keep what was heard, marked.
        for s in fw_segments:
            yield from self._lines(s, 0.0, language, window.probability, reasons, channel, options)

    def _parts(self, window: _Window, fw_segments: list[DecodedSegment]) -> list[str]:
        """The text of each recording in a window of recordings laid end to end (transcribe_many),
        by its words' times; [] when the window is of one recording."""
        spans = self._bounds.get(window.signal, [])
        if len(spans) < 2 or not any(s.words for s in fw_segments):
            return []
        words = [w for s in fw_segments for w in (s.words or [])]
        parts = []
        for _, first, end in spans:
            inside = [w.word for w in words if first <= (w.start + w.end) / 2 * RATE < end]
            if inside:
                parts.append("".join(inside).strip())
        return parts

    def _fallback(
        self, span: np.ndarray, language: str | None, options: PipelineOptions
    ) -> list[DecodedSegment]:
        t = options.thresholds
        segments, _ = self.model.transcribe(
            span,
            language=language,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            initial_prompt=options.initial_prompt,
            vad_filter=False,
            temperature=list(safeguards.FALLBACK_TEMPERATURES),
            compression_ratio_threshold=t.compression_ratio,
            log_prob_threshold=t.log_prob,
            no_speech_threshold=t.no_speech,
            condition_on_previous_text=False,
        )
        return [s for s in segments if s.text.strip()]

    @staticmethod
    def _lines(
        s: DecodedSegment,
        offset: float,
        language: str,
        probability: float,
        reasons: list[str],
        channel: int | None,
        options: PipelineOptions,
    ) -> Iterator[Segment]:
        """The transcript lines of one faster-whisper segment (times shifted by ``offset`` seconds)."""
        words = list(s.words or [])
        points = split_points(words, options.lines) if words else []
        bounds = [0, *points, len(words)]
        ratio = float(getattr(s, "compression_ratio", 0.0) or safeguards.compression_ratio(s.text))
        for a, b in itertools.pairwise(bounds):
            piece = words[a:b]
            if piece:
                text = "".join(w.word for w in piece).strip()
                start = _ms(offset + (piece[0].start if a else min(s.start, piece[0].start)))
                end = _ms(offset + (piece[-1].end if b < len(words) else max(s.end, piece[-1].end)))
            else:
                text, start, end = s.text.strip(), _ms(offset + s.start), _ms(offset + s.end)
            if not text:
                continue
            line_reasons = list(reasons)
            if (
                options.safeguards
                and safeguards.REPETITION not in line_reasons
                and safeguards.repetition(text)
            ):
                line_reasons.append(safeguards.REPETITION)
            yield Segment(
                start_ms=start,
                end_ms=max(start, end),
                text=text,
                words=[
                    Word(_ms(offset + w.start), _ms(offset + w.end), w.word.strip(), float(w.probability))
                    for w in piece
                ],
                language=language,
                language_probability=float(probability),
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
                compression_ratio=ratio,
                channel=channel,
                uncertain=line_reasons,
            )

    @staticmethod
    def _drop_crosstalk(
        segments: Iterable[Segment], audio: AudioData, options: PipelineOptions
    ) -> Iterator[Segment]:
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
    def _translate(
        segments: Iterable[Segment],
        translator: Translator | None,
        batch_size: int,
        info: TranscriptionInfo,
        report: Callable[[str, float], None],
    ) -> Iterator[Segment]:
        """Translates in groups of ``batch_size`` segments, so results still stream. A line in
        English is its own translation; with no translator the translation is left ""."""
        pending: list[Segment] = []

        def flush() -> Iterator[Segment]:
            translated = False
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
                    translated = True
                for segment, text in zip(group, texts, strict=True):
                    segment.translation = text
            if translated:
                report(TRANSLATE, info.progress(pending[-1]))
            yield from pending
            pending.clear()

        for segment in segments:
            pending.append(segment)
            if len(pending) >= batch_size:
                yield from flush()
        yield from flush()


def _host(encoded: ctranslate2.StorageView) -> np.ndarray:
    """An encoder output as an array in this process's memory (it may be on a GPU)."""
    if encoded.device != "cpu":
        encoded = encoded.to_device(ctranslate2.Device.cpu)
    return np.array(encoded)


def _info() -> TranscriptionInfo:
    """An info that nothing reads (the steps that want one, when no progress is reported)."""
    return TranscriptionInfo("", 0.0, 0.0, 0.0, 1, "none", True)


def _apart(line: Segment, spans: list[tuple[int, int, int]]) -> Iterator[tuple[int, Segment]]:
    """A line decoded from recordings laid end to end (``spans``: recording, first and end sample),
    as the line of each recording its words fall in, with that recording's times. A window packs
    the speech of several recordings, so a line may hold words of two; each keeps its own."""
    for index, first, end in spans:
        lo, hi = first * 1000 // RATE, end * 1000 // RATE
        middle = (line.start_ms + line.end_ms) / 2
        words = [w for w in line.words if lo <= (w.start_ms + w.end_ms) / 2 < hi]
        if not words and not (lo <= middle < hi and not line.words):
            continue
        piece = line
        if line.words and len(words) != len(line.words):
            piece = dataclasses.replace(
                line,
                start_ms=words[0].start_ms,
                end_ms=words[-1].end_ms,
                text=" ".join(w.text for w in words),
                words=words,
            )
        shifted = dataclasses.replace(
            piece,
            start_ms=max(0, piece.start_ms - lo),
            end_ms=min(hi - lo, max(0, piece.end_ms - lo)),
            words=[
                dataclasses.replace(w, start_ms=w.start_ms - lo, end_ms=w.end_ms - lo) for w in piece.words
            ],
        )
        yield index, shifted


def _resemblyzer_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("resemblyzer") is not None
