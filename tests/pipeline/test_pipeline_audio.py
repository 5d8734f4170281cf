"""Decoding, and the clear errors for files that are not usable recordings."""

import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from clipdesk.pipeline.audio import (
    AudioData,
    MediaError,
    NoAudioStreamError,
    NotMediaError,
    TruncatedMediaError,
    UnsupportedCodecError,
    decode_audio,
)
from factories.media import odd_codec_wav, silent_video

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"
JFK = SAMPLES / "jfk.flac"


def test_decode_jfk_keeps_both_channels():
    audio = decode_audio(JFK)
    assert audio.sample_rate == 16000
    assert audio.duration == pytest.approx(11.0, abs=0.01)
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.source_channels == 2
    left, right = audio.channels
    assert left.shape == right.shape == audio.samples.shape
    np.testing.assert_allclose(audio.samples, (left + right) / 2, atol=1e-6)


def test_decode_mono_wav_and_span():
    audio = decode_audio(SAMPLES / "speechbrain-asr" / "spk1_snt1.wav")
    assert audio.source_channels == 1 and len(audio.channels) == 1
    assert audio.duration == pytest.approx(2.87, abs=0.01)
    span = decode_audio(JFK, start=2.0, end=4.5)
    assert span.duration == pytest.approx(2.5, abs=0.01)
    assert span.start == 2.0
    whole = decode_audio(JFK)
    # The span is the same audio as the whole file from 2.0 s on (the resampler's filter state
    # differs a little after the seek, hence a correlation rather than equality).
    a, b = span.samples[1600:17600], whole.samples[33600:49600]
    assert np.corrcoef(a, b)[0, 1] > 0.99


def test_from_array():
    stereo = AudioData.from_array(np.stack([np.ones(160), np.zeros(160)]))
    assert stereo.source_channels == 2 and len(stereo.channels) == 2
    assert stereo.samples[0] == pytest.approx(0.5)
    assert AudioData.from_array(np.zeros(320)).duration == pytest.approx(0.02)


def test_text_file_is_not_media(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Minutes of the editorial meeting.\nNothing to transcribe here.\n")
    with pytest.raises(NotMediaError, match="not an audio or video file") as info:
        decode_audio(path)
    assert "notes.txt" in str(info.value)


def test_zero_length_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(TruncatedMediaError, match=r"empty \(0 bytes\)"):
        decode_audio(path)


@pytest.mark.parametrize("keep", [100_000, 30])
def test_truncated_flac(tmp_path, keep):
    path = tmp_path / "jfk-cut.flac"
    path.write_bytes(JFK.read_bytes()[:keep])
    with pytest.raises(TruncatedMediaError, match="truncated") as info:
        decode_audio(path)
    assert "complete file again" in str(info.value)


def test_truncated_wav(tmp_path):
    path = tmp_path / "cut.wav"
    path.write_bytes((SAMPLES / "speechbrain-asr" / "spk1_snt1.wav").read_bytes()[:40_000])
    with pytest.raises(TruncatedMediaError, match="header declares 91884 bytes but only 40000"):
        decode_audio(path)


def test_video_without_audio(tmp_path):
    path = silent_video(tmp_path)
    with pytest.raises(NoAudioStreamError, match=r"no audio track \(it contains: video\)"):
        decode_audio(path)


def test_unsupported_codec(tmp_path):
    path = odd_codec_wav(tmp_path)
    with pytest.raises(UnsupportedCodecError, match="codec"):
        decode_audio(path)


def test_errors_share_a_base_class(tmp_path):
    for cls in (NotMediaError, NoAudioStreamError, TruncatedMediaError, UnsupportedCodecError):
        assert issubclass(cls, MediaError)
    with pytest.raises(FileNotFoundError):
        decode_audio(tmp_path / "missing.flac")


def test_copied_sample_decodes(tmp_path):
    copy = tmp_path / "copy.flac"
    shutil.copy(JFK, copy)
    assert decode_audio(copy).duration == pytest.approx(11.0, abs=0.01)


def test_pipeline_package_does_not_import_django():
    code = (
        "import sys, clipdesk.pipeline as p; p.Pipeline; p.decode_audio; "
        "import clipdesk.pipeline.media, clipdesk.pipeline.speakers, clipdesk.pipeline.translate; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_one_rule_says_which_lengths_are_trusted_and_how_much_may_be_missing():
    """decode_audio and ingest's inspection of an upload judge truncation by the same rule."""
    from clipdesk.pipeline import audio

    assert not any(audio.trusts_declared_duration(f) for f in ("mp3", "mpegts", "aac"))
    assert all(audio.trusts_declared_duration(f) for f in ("wav", "flac", "mov,mp4,m4a,3gp,3g2,mj2", "avi"))
    assert [audio.truncation_tolerance(s) for s in (1.0, 5.0, 60.0)] == [0.25, 0.5, 1.0]
    with av.open(str(JFK)) as container:
        stream = container.streams.audio[0]
        assert audio.declared_duration(container, stream) == pytest.approx(11.0, abs=0.01)
        assert audio.declared_duration(container, stream, prefer_stream=False) == pytest.approx(
            11.0, abs=0.01
        )
