"""Real media files for tests, encoded with PyAV: small, but a browser plays them; and a few that a
probe must refuse."""

import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def make_video(path: Path, seconds: float = 4.0, fps: int = 10, size: tuple[int, int] = (160, 90)) -> Path:
    """An H.264/AAC MP4 with a changing picture and a tone: seekable, with a real audio track."""
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        video.options = {"g": str(fps)}  # a keyframe every second, so seeking lands close
        audio = out.add_stream("aac", rate=16000)
        audio.layout = "mono"
        for i in range(int(seconds * fps)):
            shade = int(255 * i / (seconds * fps))
            image = np.full((size[1], size[0], 3), (shade, 80, 255 - shade), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        rate, samples = 16000, 1024
        t = np.arange(int(seconds * rate)) / rate
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for start in range(0, len(tone), samples):
            chunk = tone[start : start + samples]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)
    return path


def silent_video(directory: Path) -> Path:
    """directory/silent.mp4: five frames of H.264 and no audio track, for what must refuse to transcribe."""
    path = directory / "silent.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 90, np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 5)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def odd_codec_wav(directory: Path) -> Path:
    """directory/odd.wav: a WAV whose format tag names no codec FFmpeg knows."""
    data = b"\x00" * 3200
    fmt = struct.pack("<HHIIHH", 0x1234, 1, 16000, 32000, 2, 16)
    body = (
        b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    )
    path = directory / "odd.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def attach_test_video(clip, tmp_path: Path, seconds: float = 4.0):
    # Imported here: the pipeline's tests use the files above and need none of the Django apps.
    from clipdesk.media.actions import attach_media

    return attach_media(clip, make_video(tmp_path / "clip.mp4", seconds), user=None, source="test")
