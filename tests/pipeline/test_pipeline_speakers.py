"""Channel analysis, crosstalk, clustering and segment splitting, on synthetic signals."""

from types import SimpleNamespace

import numpy as np
import pytest

from clipdesk.pipeline.audio import AudioData
from clipdesk.pipeline.lines import LineRules, split_points
from clipdesk.pipeline.speakers import _agglomerate, analyse_channels, dominant_channel, embedding_speakers
from clipdesk.pipeline.transcribe import PipelineOptions

RATE = 16000


def babble(seconds: float, seed: int) -> np.ndarray:
    """Noise bursts with gaps: a stand-in for one person's speech."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(0, 0.1, int(seconds * RATE)).astype(np.float32)
    envelope = (np.sin(np.linspace(0, 12 * np.pi, signal.size)) > -0.3).astype(np.float32)
    return signal * envelope


def stereo(left: np.ndarray, right: np.ndarray) -> AudioData:
    return AudioData.from_array(np.stack([left, right]))


def test_identical_channels_are_one_mix():
    voice = babble(4, 1)
    analysis = analyse_channels(stereo(voice, voice * 0.9))
    assert not analysis.dual and analysis.correlation > 0.99


def test_sound_on_one_channel_only_is_not_two_speakers():
    assert not analyse_channels(stereo(babble(4, 1), np.zeros(4 * RATE, np.float32))).dual


def test_mono_is_never_dual():
    assert not analyse_channels(AudioData.from_array(babble(2, 1))).dual


def test_a_speaker_per_channel_taking_turns():
    silence = np.zeros(2 * RATE, np.float32)
    left = np.concatenate([babble(2, 1), silence, babble(2, 3)])
    right = np.concatenate([silence, babble(2, 2), silence])
    audio = stereo(left, right)
    analysis = analyse_channels(audio)
    assert analysis.dual and abs(analysis.correlation) < 0.1
    assert analysis.left_share > 0.3 and analysis.right_share > 0.2
    assert dominant_channel(audio, 0, 2000)[0] == 0
    channel, lead = dominant_channel(audio, 2000, 4000)
    assert channel == 1 and lead > 40


def test_agglomerative_clustering_numbers_speakers_by_first_appearance():
    a, b = np.array([1.0, 0.1, 0.0]), np.array([0.0, 0.2, 1.0])
    embeddings = np.stack([b, a, b * 1.1, a + 0.05, b])
    assert _agglomerate(embeddings, threshold=0.35) == [0, 1, 0, 1, 0]
    assert _agglomerate(embeddings[:1], threshold=0.35) == [0]


def test_embeddings_need_resemblyzer():
    audio = AudioData.from_array(babble(2, 1))
    try:
        import resemblyzer  # noqa: F401
    except ImportError:
        assert embedding_speakers(audio, [(0, 1000)]) is None
    else:
        assert len(embedding_speakers(audio, [(0, 1000)])) == 1


def word(text: str, start: float, end: float):
    return SimpleNamespace(word=text, start=start, end=end, probability=0.9)


def test_long_segments_split_at_sentence_ends_pauses_and_length():
    words = [
        word(" Good", 0.0, 0.3),
        word(" evening.", 0.3, 0.8),  # sentence end
        word(" Here", 0.9, 1.1),
        word(" is", 1.1, 1.2),
        word(" the", 1.2, 1.3),
        word(" news", 1.3, 1.6),
        word(" from", 2.6, 2.8),  # after a one-second pause
        word(" Paris", 2.8, 3.2),
    ]
    assert split_points(words, LineRules(max_ms=12_000)) == [2, 6]
    steady = [word(f" w{i}", i * 0.5, i * 0.5 + 0.4) for i in range(40)]  # 20 s, no pause
    points = split_points(steady, LineRules(unpunctuated_ms=5_000))
    assert points and all(b - a <= 10 for a, b in zip([0, *points], [*points, 40], strict=True))


def test_options_are_validated():
    with pytest.raises(ValueError, match="translate must be one of"):
        PipelineOptions(translate="google")
    with pytest.raises(ValueError, match="speakers must be one of"):
        PipelineOptions(speakers="magic")
    with pytest.raises(ValueError, match="needs translation_model"):
        PipelineOptions(translate="ctranslate2")
