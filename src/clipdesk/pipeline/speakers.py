"""Telling speakers apart, cheaply.

* Stereo recordings with one speaker per channel (phone-in interviews, two-mic studio captures)
  are recognised by comparing the channels: low correlation, and each channel clearly louder than
  the other for a good share of the time. :func:`analyse_channels` decides; the pipeline then
  transcribes each channel on its own (overlapping speech stays intelligible) and
  :func:`dominant_channel` drops what one microphone merely picked up from the other speaker.
* With the optional ``resemblyzer`` package (and torch) installed, :func:`embedding_speakers`
  embeds each segment's audio and clusters the embeddings (cosine distance, average-linkage
  agglomerative). Without it, it returns None and everyone is speaker 0.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .audio import AudioData

__all__ = ["ChannelAnalysis", "analyse_channels", "dominant_channel", "embedding_speakers"]

logger = logging.getLogger(__name__)

_EPS = 1e-10


@dataclass
class ChannelAnalysis:
    """How the two channels of a stereo recording relate.

    ``left_share``/``right_share``: fraction of the active frames in which that channel is at
    least ``lead_db`` louder than the other. ``dual``: one speaker per channel.
    """

    correlation: float
    left_share: float
    right_share: float
    dual: bool


def _frame_db(signal: np.ndarray, frame: int) -> np.ndarray:
    n = signal.shape[0] // frame
    if n == 0:
        return np.zeros(0, np.float32)
    power: np.ndarray = np.mean(np.square(signal[: n * frame].reshape(n, frame), dtype=np.float64), axis=1)
    return 10.0 * np.log10(power + _EPS)


def analyse_channels(
    audio: AudioData,
    frame_ms: int = 30,
    lead_db: float = 6.0,
    min_share: float = 0.05,
    max_correlation: float = 0.5,
    silence_db: float = -45.0,
) -> ChannelAnalysis:
    """Compares the two channels of ``audio``; a mono source is never ``dual``."""
    if len(audio.channels) != 2:
        return ChannelAnalysis(1.0, 0.0, 0.0, False)
    left, right = audio.channels
    frame = max(1, audio.sample_rate * frame_ms // 1000)
    db_left, db_right = _frame_db(left, frame), _frame_db(right, frame)
    active = np.maximum(db_left, db_right) > silence_db
    if not active.any() or db_left.max() <= silence_db or db_right.max() <= silence_db:
        return ChannelAnalysis(1.0, 0.0, 0.0, False)  # silence, or sound on one channel only

    lead = db_left[active] - db_right[active]
    left_share = float(np.mean(lead >= lead_db))
    right_share = float(np.mean(lead <= -lead_db))
    if np.std(left) < _EPS or np.std(right) < _EPS:
        correlation = 0.0
    else:
        correlation = float(np.corrcoef(left, right)[0, 1])
    dual = abs(correlation) < max_correlation and min(left_share, right_share) >= min_share
    return ChannelAnalysis(correlation, left_share, right_share, dual)


def _span_db(signal: np.ndarray, sample_rate: int, start_ms: int, end_ms: int) -> float:
    a = max(0, start_ms * sample_rate // 1000)
    b = max(a + 1, end_ms * sample_rate // 1000)
    chunk = signal[a:b]
    if chunk.size == 0:
        return float(10.0 * np.log10(_EPS))
    return float(10.0 * np.log10(np.mean(np.square(chunk, dtype=np.float64)) + _EPS))


def dominant_channel(audio: AudioData, start_ms: int, end_ms: int) -> tuple[int, float]:
    """The louder channel over a span and by how many dB it leads (0, 0.0 for a mono source)."""
    if len(audio.channels) != 2:
        return 0, 0.0
    db = [_span_db(c, audio.sample_rate, start_ms, end_ms) for c in audio.channels]
    channel = int(db[1] > db[0])
    return channel, abs(db[0] - db[1])


def _agglomerate(embeddings: np.ndarray, threshold: float) -> list[int]:
    """Average-linkage agglomerative clustering on cosine distance; merges below ``threshold``."""
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    unit = embeddings / np.maximum(norms, _EPS)
    distance = 1.0 - unit @ unit.T
    clusters: list[list[int]] = [[i] for i in range(len(unit))]
    while len(clusters) > 1:
        best, pair = threshold, None
        for i in range(len(clusters)):
            for j in range(i + 1, len(clusters)):
                d = float(distance[np.ix_(clusters[i], clusters[j])].mean())
                if d < best:
                    best, pair = d, (i, j)
        if pair is None:
            break
        i, j = pair
        clusters[i].extend(clusters.pop(j))
    labels = [0] * len(unit)
    # Number speakers by first appearance.
    for label, members in enumerate(sorted(clusters, key=min)):
        for index in members:
            labels[index] = label
    return labels


def embedding_speakers(
    audio: AudioData, spans_ms: Sequence[tuple[int, int]], threshold: float = 0.35
) -> list[int] | None:
    """Speaker label per span from voice embeddings, or None when ``resemblyzer`` is missing."""
    try:
        from resemblyzer import VoiceEncoder  # optional extra (pulls in torch)
    except ImportError:
        return None
    if not spans_ms:
        return []
    encoder = VoiceEncoder(device="cpu", verbose=False)
    rate = audio.sample_rate
    embeddings = np.stack(
        [
            encoder.embed_utterance(audio.samples[start * rate // 1000 : max(end, start + 1) * rate // 1000])
            for start, end in spans_ms
        ]
    )
    return _agglomerate(embeddings, threshold)
