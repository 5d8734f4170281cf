"""English drafts of live lines decoded from the encoder output of their windows (WindowDrafts),
with the real Whisper base model on the repository's Arabic and English samples."""

import dataclasses
import re
from pathlib import Path

import jiwer
import numpy as np
import pytest

from clipdesk.pipeline import AudioData, PipelineOptions
from clipdesk.pipeline.audio import decode_audio
from clipdesk.pipeline.drafts import EncodedWindow, WindowDrafts
from clipdesk.pipeline.safeguards import Thresholds
from clipdesk.pipeline.transcribe import RATE
from clipdesk.pipeline.translate import WhisperTranslator, translate

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"
ARABIC = re.compile(r"[\u0600-\u06ff]")
LATIN = re.compile(r"[A-Za-z]")


def air(*names: str) -> AudioData:
    """The samples one after another, 0.6 s of silence between them, as a channel airs them."""
    silence = np.zeros(int(0.6 * RATE), np.float32)
    parts = []
    for name in names:
        parts += [decode_audio(SAMPLES / name).samples, silence]
    return AudioData.from_array(np.concatenate(parts))


def arabic(*numbers: int) -> AudioData:
    return air(*(f"rhasspy-ar/ar_wavenet_0{n}.wav" for n in numbers))


class Spy:
    """Records what reaches WhisperTranslator (the fallback), and lets it run."""

    def __init__(self, monkeypatch):
        self.lines = []
        original = WhisperTranslator.translate

        def translate(translator, segments, source_language):
            self.lines += list(segments)
            return original(translator, segments, source_language)

        monkeypatch.setattr(WhisperTranslator, "translate", translate)


def test_a_line_is_placed_in_the_packed_speech_of_its_window():
    # Two chunks of speech, 1-2 s and 3-4 s of the signal, packed back to back: 2 s of speech.
    window = EncodedWindow([(RATE, 2 * RATE), (3 * RATE, 4 * RATE)], np.zeros((1500, 4), np.float32))
    assert window.packed(RATE) == 0
    assert window.packed(RATE + 8000) == 8000
    assert window.packed(int(2.5 * RATE)) == RATE  # left-out silence: the next chunk's start
    assert window.packed(3 * RATE + 800) == RATE + 800
    assert window.packed(10 * RATE) == 2 * RATE
    # Encoder frames are 20 ms; the pad is of packed speech and stays inside it.
    assert window.frames(3 * RATE, 4 * RATE, pad=0) == (50, 100)
    assert window.frames(RATE, 4 * RATE, pad=RATE) == (0, 100)


def test_each_arabic_line_gets_its_own_english_draft_in_order(pipeline, monkeypatch, record_property):
    spy = Spy(monkeypatch)
    calls = []  # each WindowDrafts used, the lines it was given (times on its signal), its texts
    original = WindowDrafts.translate

    def drafting(drafter, segments, source_language):
        texts = original(drafter, segments, source_language)
        calls.append((drafter, [dataclasses.replace(s) for s in segments], texts))
        return texts

    monkeypatch.setattr(WindowDrafts, "translate", drafting)
    channels = [arabic(1, 2, 3), arabic(4, 5)]
    options = PipelineOptions(languages=("ar",), translate="whisper", speakers="none")
    results = pipeline.transcribe_many(channels, options)
    assert not spy.lines, "every line was drafted from its window's encoder output"
    closeness = []
    for audio, (lines, _info) in zip(channels, results, strict=True):
        assert lines and all(line.language == "ar" and ARABIC.search(line.text) for line in lines)
        drafts = [line.translation for line in lines]
        assert all(d and LATIN.search(d) and not ARABIC.search(d) for d in drafts), drafts
        # Beside the per-line decode of WhisperTranslator (reported, not asserted: wording varies).
        per_line = [
            translate(
                WhisperTranslator(pipeline.model, audio), [dataclasses.replace(line, uncertain=[])], "ar"
            )[0]
            for line in lines
        ]
        for draft, old in zip(drafts, per_line, strict=True):
            closeness.append(1 - min(1.0, jiwer.wer(old.lower(), draft.lower())))
            print(f"draft {draft!r}  per-line {old!r}")
    record_property("word_overlap_with_per_line_drafts", round(sum(closeness) / len(closeness), 3))
    # The same lines drafted in the reverse order come back in that order: no text moves to another
    # line, whatever the batches hold.
    drafter, given, texts = calls[0]
    assert texts == [line.translation for found, _info in results for line in found]
    assert drafter.translate(given[::-1], "ar") == texts[::-1]


def test_an_english_line_stays_its_own(pipeline):
    channels = [air("jfk.flac", "rhasspy-ar/ar_wavenet_03.wav"), arabic(2)]
    options = [
        PipelineOptions(languages=("ar", "en"), translate="whisper", speakers="none"),
        PipelineOptions(languages=("ar",), translate="whisper", speakers="none"),
    ]
    results = pipeline.transcribe_many(channels, options)
    lines = [line for found, _info in results for line in found]
    english = [line for line in lines if line.language == "en"]
    spoken = [line for line in lines if line.language == "ar"]
    assert english and spoken
    assert all(line.translation == line.text for line in english)
    assert all(line.translation and not ARABIC.search(line.translation) for line in spoken)


def test_a_draft_that_fails_the_safeguards_is_marked(pipeline):
    # Every decoding is "unsure" under these thresholds: each draft is kept and its line marked.
    options = PipelineOptions(
        languages=("ar",), translate="whisper", speakers="none", thresholds=Thresholds(log_prob=0.0)
    )
    ((lines, _info),) = pipeline.transcribe_many([arabic(3)], options)
    assert lines
    for line in lines:
        assert "translation-low-logprob" in line.uncertain
        assert line.translation and not ARABIC.search(line.translation)


@pytest.mark.parametrize("translate_mode", ["none"])
def test_no_drafts_keeps_no_encoder_output(pipeline, translate_mode):
    options = PipelineOptions(languages=("ar",), translate=translate_mode, speakers="none")
    ((lines, _info),) = pipeline.transcribe_many([arabic(1)], options)
    assert lines and all(line.translation == "" for line in lines)
    assert pipeline._decoder.kept is None


def test_a_draft_is_the_first_segment_after_the_prompts_timestamp():
    from clipdesk.pipeline.drafts import _segment

    stamp, eot = 100, 50
    # The prompt's timestamp echoed, text, the closing timestamp, then the next segment (not taken).
    assert _segment([stamp + 10, 1, 2, 3, stamp + 60, stamp + 60, 4, 5], stamp, eot) == ([1, 2, 3], 60, 4)
    # Cut by the length bound before any timestamp closed it.
    assert _segment([stamp + 10, 1, 2, 3], stamp, eot) == ([1, 2, 3], None, 3)
