"""Decoding windows: voice-activity chunks packed without their silences, times put back on the
recording, and languages read from the windows' own encoder output (chunk by chunk only where a
window may hold several)."""

import re
from pathlib import Path

import numpy as np
from faster_whisper.transcribe import Segment as FwSegment
from faster_whisper.transcribe import Word as FwWord

from clipdesk.pipeline import PipelineOptions, languages
from clipdesk.pipeline.audio import AudioData, decode_audio
from clipdesk.pipeline.transcribe import RATE, windows

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"


def seconds(*spans: tuple[float, float]) -> list[dict]:
    return [{"start": int(a * RATE), "end": int(b * RATE)} for a, b in spans]


def test_silences_are_left_out_of_windows():
    # 30 s of speech spread over 46 s: one window of speech, not two windows holding the silences.
    packed = windows(seconds((0, 10), (18, 28), (36, 46)))
    assert len(packed) == 1
    assert packed[0].speech == 30 * RATE
    assert (packed[0].start, packed[0].end) == (0, 46 * RATE)
    # The 30 seconds are of speech; a language change still starts a new window.
    assert len(windows(seconds((0, 20), (25, 36)))) == 2
    labels = [("en", 0.99), ("ar", 0.98), ("ar", 0.97)]
    assert [w.language for w in windows(seconds((0, 5), (6, 9), (10, 12)), labels)] == ["en", "ar"]


def test_times_are_put_back_on_the_recording():
    (window,) = windows(seconds((2, 5), (10, 14)))
    word = FwWord(start=3.5, end=4.4, word=" world", probability=0.9)  # 0.5 s into the second chunk
    segment = FwSegment(
        id=0,
        seek=0,
        start=0.2,
        end=4.4,
        text=" hello world",
        tokens=[],
        avg_logprob=-0.2,
        compression_ratio=1.0,
        no_speech_prob=0.01,
        words=[FwWord(start=0.2, end=0.8, word=" hello", probability=0.8), word],
        temperature=0.0,
    )
    (restored,) = window.restore([segment])
    assert [(w.start, w.end) for w in restored.words] == [(2.2, 2.8), (10.5, 11.4)]
    assert (restored.start, restored.end) == (2.2, 11.4)


def concatenated(*parts) -> AudioData:
    pieces = [p if isinstance(p, np.ndarray) else decode_audio(SAMPLES / p).samples for p in parts]
    return AudioData.from_array(np.concatenate(pieces))


def test_speech_after_a_long_silence_keeps_its_times(pipeline):
    jfk = decode_audio(SAMPLES / "jfk.flac").samples
    audio = concatenated(jfk, np.zeros(20 * RATE, np.float32), "speechbrain-asr/spk1_snt1.wav")
    resumes = (jfk.size / RATE + 20) * 1000  # where the second recording starts
    segments = list(pipeline.transcribe(audio, PipelineOptions(translate="none", speakers="none"))[0])
    first = [s for s in segments if s.end_ms <= jfk.size / RATE * 1000]
    second = [s for s in segments if s.start_ms >= resumes - 500]
    assert first and second and len(first) + len(second) == len(segments)
    assert "ask not" in " ".join(s.text.lower() for s in first)
    assert "child" in " ".join(s.text.lower() for s in second)
    assert all(
        resumes - 500 <= w.start_ms <= w.end_ms <= audio.duration * 1000 for s in second for w in s.words
    )


def test_a_window_sure_of_its_language_is_not_identified_chunk_by_chunk(pipeline, monkeypatch):
    calls = []
    identify = languages.identify
    monkeypatch.setattr(languages, "identify", lambda *a, **k: calls.append(a) or identify(*a, **k))
    english = concatenated("jfk.flac", "speechbrain-asr/spk1_snt1.wav", "speechbrain-asr/spk2_snt1.wav")
    sure = PipelineOptions(translate="none", speakers="none", one_language=0.8)
    segments = list(pipeline.transcribe(english, sure)[0])
    assert segments and {s.language for s in segments} == {"en"}
    assert all(s.language_probability >= 0.8 for s in segments)
    assert calls == []
    # A channel that declares one language is not identified chunk by chunk either; the model's
    # belief in that language is still kept, so that a wrong one looks doubtful.
    arabic = concatenated("rhasspy-ar/ar_wavenet_03.wav")
    options = PipelineOptions(translate="none", speakers="none", languages=("fa",))
    segments = list(pipeline.transcribe(arabic, options)[0])
    assert segments and {s.language for s in segments} == {"fa"}
    assert all(s.language_probability < 0.5 for s in segments)
    assert calls == []


def test_a_window_in_two_languages_is_split_chunk_by_chunk(pipeline, monkeypatch):
    calls = []
    identify = languages.identify
    monkeypatch.setattr(languages, "identify", lambda *a, **k: calls.append(a) or identify(*a, **k))
    silence = np.zeros(12_000, np.float32)
    audio = concatenated("jfk.flac", silence, "rhasspy-ar/ar_wavenet_03.wav")
    segments = list(pipeline.transcribe(audio, PipelineOptions(translate="none", speakers="none"))[0])
    assert calls  # the window was not sure of one language
    assert {s.language for s in segments} == {"en", "ar"}
    assert all(re.search(r"[\u0600-\u06ff]", s.text) for s in segments if s.language == "ar")
    assert all(s.end_ms <= 11_500 for s in segments if s.language == "en")
