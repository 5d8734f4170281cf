"""Fixtures for the upload tests: media in the test's own directory, and recordings to send."""

import wave
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _own_media(media_root):
    """Uploads are assembled under the test's own MEDIA_ROOT."""


def make_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A tone, mono 16-bit: its header declares its length, as most recorders' files do."""
    tone = 0.2 * 32767 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(tone.astype("<i2").tobytes())
    return path


@pytest.fixture
def recording(tmp_path) -> Path:
    """About 320 KB: 20 s of 8 kHz audio."""
    return make_wav(tmp_path / "evening news.wav", 20)
