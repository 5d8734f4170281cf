"""Compressed files cut off (MP3, raw AAC, MP4 with missing data) are refused, by the decoder and by
the ingest check, saying what was expected and what was found; complete ones decode."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from clipdesk.ingest.validation import Truncated, inspect_media
from clipdesk.pipeline.audio import TruncatedMediaError, decode_audio, frames_shortfall

RATE = 16000


def write(path: Path, fmt: str, codec: str, seconds: float = 6.0, rate: int = 44100, **options) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)
    with av.open(str(path), "w", format=fmt, options=options) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame_size = stream.codec_context.frame_size or 1024
        for start in range(0, tone.size, frame_size):
            chunk = tone[None, start : start + frame_size]
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def cut(path: Path, keep: float, *, at_frame_edge: bool = False) -> Path:
    data = path.read_bytes()
    size = int(len(data) * keep)
    if at_frame_edge:  # end exactly after a frame (the frame walk alone cannot see this cut)
        from clipdesk.pipeline.audio import _id3_size, _mp3_frame_length

        position = _id3_size(data)
        while position + _mp3_frame_length(data[position : position + 4]) <= size:
            position += _mp3_frame_length(data[position : position + 4])
        size = position
    out = path.with_name(f"cut-{path.name}")
    out.write_bytes(data[:size])
    return out


@pytest.fixture(params=["mp3", "adts"])
def compressed(request, tmp_path):
    if request.param == "mp3":
        return write(tmp_path / "news.mp3", "mp3", "libmp3lame")
    return write(tmp_path / "news.aac", "adts", "aac")


def test_complete_compressed_files_decode(compressed):
    assert frames_shortfall(compressed) is None
    assert decode_audio(compressed).duration == pytest.approx(6.0, abs=0.15)
    inspect_media(compressed, max_bytes=10**9)


def test_cut_off_compressed_files_are_refused(compressed):
    truncated = cut(compressed, 0.6)
    expected, present = frames_shortfall(truncated)
    assert present == truncated.stat().st_size < expected
    with pytest.raises(TruncatedMediaError, match=rf"needs {expected} bytes but only {present} are present"):
        decode_audio(truncated)
    with pytest.raises(Truncated, match="truncated"):
        inspect_media(truncated, max_bytes=10**9)


def test_an_mp3_cut_between_frames_is_found_by_its_header(tmp_path):
    mp3 = write(tmp_path / "news.mp3", "mp3", "libmp3lame")
    truncated = cut(mp3, 0.5, at_frame_edge=True)
    expected, present = frames_shortfall(truncated)
    assert expected == mp3.stat().st_size and present == truncated.stat().st_size
    with pytest.raises(Truncated, match=f"needs {expected} bytes"):
        inspect_media(truncated, max_bytes=10**9)


@pytest.mark.parametrize("faststart", [True, False])
def test_an_mp4_with_missing_data_is_refused(tmp_path, faststart):
    options = {"movflags": "faststart"} if faststart else {}
    mp4 = write(tmp_path / "news.mp4", "mp4", "aac", seconds=10.0, **options)
    decode_audio(mp4)
    truncated = cut(mp4, 0.6)
    with pytest.raises(TruncatedMediaError):
        decode_audio(truncated)
    with pytest.raises(Truncated) as refused:
        inspect_media(truncated, max_bytes=10**9)
    if faststart:  # the index is whole: the message says how much of the declared length is there
        assert "of the 00:10 its header declares" in str(refused.value.messages[0])
