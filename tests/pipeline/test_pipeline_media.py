"""Poster frames, web renditions and demo videos, on small videos generated here."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from clipdesk.pipeline.audio import NotMediaError, decode_audio
from clipdesk.pipeline.media import (
    NoVideoStreamError,
    extract_poster,
    is_web_playable,
    make_demo_video,
    make_web_rendition,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"
JFK = SAMPLES / "jfk.flac"
FPS = 5


def grey_ramp_video(path: Path, seconds: int = 3, size=(101, 75)) -> Path:
    """An MKV with MPEG-4 Part 2 video (not web-playable) whose frame i is grey level 20 + 10 i,
    and a 440 Hz MP3 tone."""
    width, height = size
    with av.open(str(path), "w") as out:
        video = out.add_stream("mpeg4", rate=FPS)
        video.width, video.height, video.pix_fmt = width - width % 2, height - height % 2, "yuv420p"
        audio = out.add_stream("libmp3lame", rate=44100)
        audio.layout = "stereo"
        for i in range(seconds * FPS):
            level = 20 + 10 * i
            picture = np.full((video.height, video.width, 3), level, np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            for packet in video.encode(frame):
                out.mux(packet)
        t = np.arange(seconds * 44100) / 44100
        tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        samples = np.stack([tone, tone])
        for start in range(0, samples.shape[1], 1152):
            chunk = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples[:, start : start + 1152]), format="fltp", layout="stereo"
            )
            chunk.sample_rate, chunk.pts, chunk.time_base = 44100, start, Fraction(1, 44100)
            for packet in audio.encode(chunk):
                out.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode(None):
                out.mux(packet)
    return path


def streams(path: Path) -> dict:
    with av.open(str(path)) as container:
        info = {"duration": container.duration / av.time_base, "title": container.metadata.get("title")}
        for stream in container.streams:
            ctx = stream.codec_context
            info[stream.type] = (ctx.name, getattr(ctx, "width", None), getattr(ctx, "height", None))
        return info


def read_image(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return make_demo_video(JFK, tmp_path_factory.mktemp("demo") / "jfk.mp4", "Inaugural address")


def test_demo_video_is_small_h264_aac(demo):
    info = streams(demo)
    assert info["video"] == ("h264", 320, 180)
    assert info["audio"][0] == "aac"
    assert info["duration"] == pytest.approx(11.0, abs=0.6)
    assert info["title"] == "Inaugural address"
    assert is_web_playable(demo)
    assert demo.stat().st_size < 400_000
    assert decode_audio(demo).duration == pytest.approx(11.0, abs=0.1)  # the sound survives


@pytest.mark.parametrize(
    "name, magic", [("poster.png", b"\x89PNG\r\n\x1a\n"), ("poster.jpg", b"\xff\xd8\xff")]
)
def test_poster_of_demo(demo, tmp_path, name, magic):
    poster = extract_poster(demo, tmp_path / name, at_seconds=3.0)
    assert poster.read_bytes().startswith(magic)
    assert read_image(poster).shape == (180, 320, 3)


def test_poster_is_the_frame_at_the_requested_time(tmp_path):
    source = grey_ramp_video(tmp_path / "ramp.mkv")
    for seconds in (0.0, 1.0, 2.0, 9.0):
        poster = extract_poster(source, tmp_path / f"at{seconds}.png", at_seconds=seconds)
        frame_index = min(round(seconds * FPS), 3 * FPS - 1)  # past the end: the last frame
        assert read_image(poster).mean() == pytest.approx(20 + 10 * frame_index, abs=6), seconds


def test_poster_needs_a_video_track(tmp_path):
    with pytest.raises(NoVideoStreamError, match="no video track"):
        extract_poster(JFK, tmp_path / "x.png")
    with pytest.raises(ValueError, match=r"\.jpg, \.jpeg or \.png"):
        extract_poster(grey_ramp_video(tmp_path / "ramp.mkv"), tmp_path / "x.gif")


def test_web_rendition_of_an_unplayable_video(tmp_path):
    source = grey_ramp_video(tmp_path / "ramp.mkv")
    assert not is_web_playable(source)
    rendition = make_web_rendition(source, tmp_path / "ramp.mp4")
    assert is_web_playable(rendition)
    info = streams(rendition)
    assert info["video"] == ("h264", 100, 74)
    assert info["audio"][0] == "aac"
    assert info["duration"] == pytest.approx(3.0, abs=0.3)
    with av.open(str(rendition)) as container:
        frames = [f.to_ndarray(format="rgb24").mean() for f in container.decode(video=0)]
    assert len(frames) == 3 * FPS
    assert frames[0] == pytest.approx(20, abs=6) and frames[-1] == pytest.approx(160, abs=6)
    assert not list(tmp_path.glob(".*.part"))  # written under a temporary name, then renamed


def test_web_rendition_of_audio_only(tmp_path):
    rendition = make_web_rendition(JFK, tmp_path / "jfk.mp4")
    assert is_web_playable(rendition)
    info = streams(rendition)
    assert "video" not in info and info["audio"][0] == "aac"
    assert decode_audio(rendition).duration == pytest.approx(11.0, abs=0.1)


def test_is_web_playable_rejects_other_files(tmp_path):
    assert not is_web_playable(JFK)  # FLAC
    text = tmp_path / "notes.txt"
    text.write_text("not media")
    assert not is_web_playable(text)
    assert not is_web_playable(tmp_path / "missing.mp4")
    with pytest.raises(NotMediaError):
        make_web_rendition(text, tmp_path / "out.mp4")


def test_a_span_is_cut_to_the_frame_and_the_sample(tmp_path):
    """Cutting lives with the other media work (ingest calls it): the span's pictures and sound."""
    from clipdesk.pipeline.cut import cut_media

    seen = []
    cut = cut_media(
        grey_ramp_video(tmp_path / "ramp.mkv"), tmp_path / "cut.mp4", 1.0, 2.0, progress=seen.append
    )
    assert is_web_playable(cut)
    assert decode_audio(cut).duration == pytest.approx(1.0, abs=0.05)
    assert seen and all(0 <= f <= 1 for f in seen)
    with av.open(str(cut)) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24")
    assert abs(int(first.mean()) - (20 + 10 * FPS)) <= 6  # the frame shown at 1.0 s
