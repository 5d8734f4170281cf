"""The pipeline end to end with the real Whisper base model (loaded once per session)."""

import json
import logging
import re
from pathlib import Path

import jiwer
import numpy as np
import pytest

from clipdesk.pipeline import AudioData, PipelineOptions
from clipdesk.pipeline.audio import decode_audio
from clipdesk.pipeline.translate import WhisperTranslator, translate

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"
JFK = SAMPLES / "jfk.flac"
JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
FAST = PipelineOptions(translate="none")


def normalise(text: str) -> str:
    """Lowercase, punctuation removed, whitespace collapsed (apostrophes kept)."""
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def run(pipeline, audio, options=FAST):
    segments, info = pipeline.transcribe(audio, options)
    return list(segments), info


def wer(reference: str, segments) -> float:
    return jiwer.wer(normalise(reference), normalise(" ".join(s.text for s in segments)))


@pytest.fixture(scope="module")
def jfk(pipeline):
    """jfk.flac through the default pipeline (batched, Whisper translation, speakers auto)."""
    segments, info = pipeline.transcribe(JFK)
    progress = []
    collected = []
    for segment in segments:  # consumed lazily, as a worker storing progress would
        collected.append(segment)
        progress.append(info.progress(segment))
    return collected, info, progress


def test_jfk_text_language_and_word_timing(jfk):
    segments, info, _ = jfk
    assert info.language == "en" and info.language_probability > 0.8
    assert info.duration == pytest.approx(11.0, abs=0.01)
    assert wer(JFK_TEXT, segments) <= 0.15
    words = [w for s in segments for w in s.words]
    americans = next(w for w in words if normalise(w.text) == "americans")
    assert abs(americans.start_ms / 1000 - 1.8) <= 0.3, americans
    assert all(s.language == "en" for s in segments)
    assert all(s.translation == s.text for s in segments)  # English is its own translation


def test_jfk_progress_is_reported_segment_by_segment(jfk):
    segments, _, progress = jfk
    assert len(progress) == len(segments) >= 1
    assert progress == sorted(progress) and progress[0] > 0 and progress[-1] >= 0.9
    for s in segments:
        assert 0 <= s.start_ms < s.end_ms <= 11_000
        assert all(s.start_ms - 500 <= w.start_ms <= w.end_ms <= s.end_ms + 500 for w in s.words)


def test_jfk_is_one_speaker(jfk):
    segments, info, _ = jfk
    assert info.source_channels == 2  # stereo, but the same voice on both channels
    assert info.speaker_mode == "single"
    assert {s.speaker for s in segments} == {0}


def test_sequential_decoder_is_still_available(pipeline):
    segments, info = run(pipeline, JFK, PipelineOptions(batched=False, translate="none"))
    assert not info.batched and info.language == "en"
    assert wer(JFK_TEXT, segments) <= 0.15


# Word error rate bound per clip: the value measured with the default pipeline (batched, language
# identified) plus about one word. Measured: spk1_snt1 0.0, spk1_snt2 0.125 (the annotation spells
# "two" as TUE), spk1_snt3 0.0, spk1_snt4 0.0, spk1_snt5 0.0, spk2_snt1 0.125 ("wore" annotated for
# "war"), spk2_snt2 0.0, spk2_snt3 0.571 ("Terra thin sheet from the yellow pad" against "TEAR THIN
# SHEEP FROM THE OTHER PAT"), spk2_snt4 0.143 ("Men the coat"), spk2_snt5 1.6: the model hears
# "Jump the fence and hurry up the bank." (the sequential decoder too) where the annotation says
# "KEN PAIRS LACK FULL FLAVOR"; its bound only guards against a regression.
WER_BOUNDS = {
    "spk1_snt1": 0.15,
    "spk1_snt2": 0.275,
    "spk1_snt3": 0.15,
    "spk1_snt4": 0.15,
    "spk1_snt5": 0.15,
    "spk2_snt1": 0.275,
    "spk2_snt2": 0.15,
    "spk2_snt3": 0.72,
    "spk2_snt4": 0.29,
    "spk2_snt5": 1.75,
}


def speechbrain_references() -> dict[str, str]:
    references = {}
    for name in ("ASR_train.json", "ASR_dev.json"):
        data = json.loads((SAMPLES / "speechbrain-asr" / name).read_text())
        references.update({key: entry["wrd"] for key, entry in data.items()})
    return references


def test_every_annotated_clip_has_a_bound():
    assert set(WER_BOUNDS) == set(speechbrain_references())


@pytest.mark.parametrize("clip", sorted(WER_BOUNDS))
def test_speechbrain_clip(pipeline, clip):
    segments, info = run(pipeline, SAMPLES / "speechbrain-asr" / f"{clip}.wav")
    assert info.language == "en"
    measured = wer(speechbrain_references()[clip], segments)
    print(f"{clip}: WER {measured:.3f} (bound {WER_BOUNDS[clip]})")
    assert measured <= WER_BOUNDS[clip]


def test_stereo_with_a_speaker_per_channel(pipeline):
    segments, info = run(pipeline, SAMPLES / "stereo_diarization.wav")
    assert info.speaker_mode == "channels"
    assert {s.speaker for s in segments} == {0, 1}
    left = normalise(" ".join(s.text for s in segments if s.speaker == 0))
    right = normalise(" ".join(s.text for s in segments if s.speaker == 1))
    assert "wizard" in left and "curtain" in left
    assert "horizon" in right and "distant" in right
    assert [s.start_ms for s in segments] == sorted(s.start_ms for s in segments)


@pytest.mark.parametrize("name", [f"ar_wavenet_0{i}" for i in range(1, 6)])
def test_arabic_is_identified_and_translated(pipeline, name, record_property):
    wav = SAMPLES / "rhasspy-ar" / f"{name}.wav"
    segments, info = run(pipeline, wav, PipelineOptions(translate="whisper"))
    assert info.language == "ar"
    reference = (SAMPLES / "rhasspy-ar" / f"{name}.txt").read_text(encoding="utf-8").strip()
    hypothesis = " ".join(s.text for s in segments)
    cer = jiwer.cer(normalise(reference), normalise(hypothesis))
    record_property("cer", cer)
    print(f"{name}: CER {cer:.3f}  {hypothesis!r} for {reference!r}")
    assert cer <= 0.5  # a sanity bound only: synthetic voice, two-to-five-word commands
    for segment in segments:  # Whisper's translate task gives English text
        assert segment.translation and re.search(r"[A-Za-z]", segment.translation)
        assert not re.search(r"[\u0600-\u06ff]", segment.translation)


def test_translation_with_a_ctranslate2_model(pipeline, tiny_translation_model):
    options = PipelineOptions(
        language="ar", translate="ctranslate2", translation_model=str(tiny_translation_model), speakers="none"
    )
    segments, info = run(pipeline, SAMPLES / "rhasspy-ar" / "ar_wavenet_03.wav", options)
    assert info.language == "ar" and info.language_probability == 1
    assert segments and all(isinstance(s.translation, str) for s in segments)
    assert all(s.speaker is None for s in segments)


def test_whisper_translator_returns_one_text_per_segment(pipeline, jfk):
    segments = jfk[0]
    translator = WhisperTranslator(pipeline.model, decode_audio(JFK))
    texts = translate(translator, segments, "en")
    assert len(texts) == len(segments)
    assert all(texts)
    joined = " ".join(texts)
    assert jiwer.wer(normalise(JFK_TEXT), normalise(joined)) <= 0.3, joined


def test_silence_gives_no_segments(pipeline):
    segments, info = run(pipeline, AudioData.from_array(np.zeros(16000 * 3, np.float32)))
    assert segments == []
    assert info.duration == pytest.approx(3.0)


def test_embeddings_fall_back_cleanly_without_resemblyzer(pipeline, caplog):
    from clipdesk.pipeline.speakers import embedding_speakers

    audio = decode_audio(SAMPLES / "speechbrain-asr" / "spk2_snt2.wav")
    assert embedding_speakers(audio, [(0, 1000)]) is None  # resemblyzer is not installed here
    with caplog.at_level(logging.WARNING, logger="clipdesk.pipeline.transcribe"):
        segments, info = run(pipeline, audio, PipelineOptions(speakers="embeddings", translate="none"))
    assert info.speaker_mode == "single"
    assert {s.speaker for s in segments} == {0}
    assert "needs the resemblyzer package" in caplog.text


def concatenated(*names: str) -> AudioData:
    """The sample recordings one after another, 0.75 s of silence between them."""
    silence = np.zeros(12_000, np.float32)
    parts = []
    for name in names:
        parts += [decode_audio(SAMPLES / name).samples, silence]
    return AudioData.from_array(np.concatenate(parts[:-1]))


def test_each_line_keeps_its_own_language(pipeline):
    """English, then Arabic, then English again in one file: each part is transcribed in its own
    language, the English is its own translation (not translated), the Arabic is translated."""
    audio = concatenated(
        "jfk.flac",
        "rhasspy-ar/ar_wavenet_03.wav",
        "rhasspy-ar/ar_wavenet_01.wav",
        "speechbrain-asr/spk1_snt1.wav",
    )
    segments, info = run(pipeline, audio, PipelineOptions(translate="whisper", speakers="none"))
    by_language = {language: [s for s in segments if s.language == language] for language in ("en", "ar")}
    assert {s.language for s in segments} == {"en", "ar"}
    english, arabic = by_language["en"], by_language["ar"]
    assert all(s.end_ms <= 11_500 or s.start_ms >= 18_000 for s in english)
    assert all(s.start_ms >= 11_000 and s.end_ms <= 18_500 for s in arabic)
    assert wer(JFK_TEXT, [s for s in english if s.end_ms <= 11_500]) <= 0.15
    assert all(re.search(r"[\u0600-\u06ff]", s.text) for s in arabic)
    assert all(s.translation == s.text for s in english)  # English is not translated
    assert all(s.translation and not re.search(r"[\u0600-\u06ff]", s.translation) for s in arabic)
    assert all(0.5 < s.language_probability <= 1 for s in segments)
    assert info.language == "en" and set(info.languages) == {"en", "ar"}
    # Words keep their times and probabilities; lines their decoder scores.
    assert all(s.words and all(0 <= w.probability <= 1 for w in s.words) for s in segments)
    assert all(s.avg_logprob < 0 and 0 <= s.no_speech_prob <= 1 and s.compression_ratio > 0 for s in segments)


def test_a_channels_languages_narrow_identification(pipeline):
    segments, _info = run(
        pipeline,
        SAMPLES / "rhasspy-ar" / "ar_wavenet_03.wav",
        PipelineOptions(translate="none", languages=("fa", "ur")),
    )
    assert segments and {s.language for s in segments} <= {"fa", "ur"}
    assert all(s.language_probability < 0.5 for s in segments)  # the model does not believe it


def test_safeguards_can_be_switched_off_and_pass_clean_speech(pipeline):
    on, _ = run(pipeline, JFK, PipelineOptions(translate="none", speakers="none"))
    off, _ = run(pipeline, JFK, PipelineOptions(translate="none", speakers="none", safeguards=False))
    assert [s.text for s in on] == [s.text for s in off]
    assert not any(s.uncertain for s in on)


def test_progress_is_told_of_transcription_and_translation(pipeline):
    """A caller (ingest) sees both steps without translating itself."""
    seen = []
    wav = SAMPLES / "rhasspy-ar" / "ar_wavenet_03.wav"
    options = PipelineOptions(language="ar", speakers="none")
    segments, _info = pipeline.transcribe(wav, options, progress=lambda *step: seen.append(step))
    segments = list(segments)
    assert segments and all(s.translation for s in segments)
    assert [step for step, _ in seen].count("translate") >= 1
    assert seen[0][0] == "transcribe" and seen[-1][0] == "translate"
    assert all(0 <= fraction <= 1 for _, fraction in seen) and seen[-1][1] == pytest.approx(1, abs=0.2)
