"""Poster frames and browser-playable renditions, with PyAV only (no ffmpeg binary, no Pillow).

Images are written by FFmpeg's own PNG/MJPEG encoders through the ``image2`` muxer, so Pillow is
not needed. Renditions are H.264 (libx264, else libopenh264) + AAC in MP4 with the index at the
front (``faststart``), which every current browser plays.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.video.stream import VideoStream

from .audio import MediaError, NoAudioStreamError, NotMediaError, UnsupportedCodecError

__all__ = [
    "NoVideoStreamError",
    "extract_poster",
    "is_web_playable",
    "make_demo_video",
    "make_web_rendition",
]

_H264Encoder = Literal["libx264", "libopenh264"]
_H264_ENCODERS: tuple[_H264Encoder, ...] = ("libx264", "libopenh264")
_WEB_AUDIO = {"aac", "mp3"}
_WEB_PIXEL_FORMATS = {"yuv420p", "yuvj420p"}


class NoVideoStreamError(MediaError):
    """A poster frame was asked of a file without pictures."""


def _open(path: str | os.PathLike[str]) -> InputContainer:
    try:
        return av.open(os.fspath(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise NotMediaError(path, f"FFmpeg cannot open it as audio or video ({exc.strerror}).") from exc


def _h264_encoder() -> _H264Encoder:
    for name in _H264_ENCODERS:
        try:
            av.codec.Codec(name, "w")
        except (av.codec.codec.UnknownCodecError, ValueError):
            continue
        return name
    raise RuntimeError(f"this PyAV build has no H.264 encoder (looked for {', '.join(_H264_ENCODERS)})")


def _tmp(dst: Path) -> Path:
    return dst.with_name(f".{dst.name}.part")


def _encode_image(frame: av.VideoFrame, out_path: Path) -> None:
    suffix = out_path.suffix.lower()
    codec: Literal["mjpeg", "png"]
    if suffix in (".jpg", ".jpeg"):
        codec, pix_fmt = "mjpeg", "yuvj420p"
    elif suffix == ".png":
        codec, pix_fmt = "png", "rgb24"
    else:
        raise ValueError(f"poster must be a .jpg, .jpeg or .png file, not {out_path.name}")
    width, height = frame.width - frame.width % 2, frame.height - frame.height % 2
    image = frame.reformat(width=width, height=height, format=pix_fmt)
    image.pts = 0
    tmp = _tmp(out_path)
    with av.open(str(tmp), "w", format="image2") as out:
        stream = out.add_stream(codec, rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if codec == "mjpeg":
            stream.codec_context.qscale = True  # a fixed quantiser: a high quality JPEG
        for packet in stream.encode(image):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    os.replace(tmp, out_path)


def extract_poster(
    path: str | os.PathLike[str], out_path: str | os.PathLike[str], at_seconds: float = 1.0
) -> Path:
    """Writes the frame shown at ``at_seconds`` (the last frame if the video is shorter) as a
    JPEG or PNG, chosen by ``out_path``'s suffix."""
    out_path = Path(out_path)
    with _open(path) as container:
        if not container.streams.video:
            raise NoVideoStreamError(path, "the file has no video track, so it has no poster frame.")
        stream = container.streams.video[0]
        target = max(0.0, float(at_seconds))
        if target > 0 and stream.time_base is not None:
            start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
            container.seek(int((target + start) / stream.time_base), stream=stream, backward=True)
            target += start
        chosen = None
        for frame in container.decode(stream):
            chosen = frame
            if frame.time is None or frame.time >= target:
                break
        if chosen is None:
            raise NoVideoStreamError(path, "the video track holds no decodable picture.")
        _encode_image(chosen, out_path)
    return out_path


def _scaled(width: int, height: int, max_height: int) -> tuple[int, int]:
    if height > max_height:
        width, height = round(width * max_height / height), max_height
    return max(2, width - width % 2), max(2, height - height % 2)


def make_web_rendition(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    max_height: int = 720,
    crf: int = 23,
    audio_bitrate: int = 128_000,
) -> Path:
    """Re-encodes ``src`` as H.264/AAC MP4 (constant frame rate, at most ``max_height`` lines).

    An audio-only source gives an audio-only MP4.
    """
    dst = Path(dst)
    tmp = _tmp(dst)
    with _open(src) as container:
        in_video = container.streams.video[0] if container.streams.video else None
        in_audio = container.streams.audio[0] if container.streams.audio else None
        for stream in (in_video, in_audio):
            if stream is not None and stream.codec_context is None:
                raise UnsupportedCodecError(
                    src, f"the {stream.type} track uses a codec this FFmpeg build cannot decode."
                )
        if in_video is None and in_audio is None:
            raise NoAudioStreamError(src, "the file has neither pictures nor sound to convert.")
        t0 = container.start_time / av.time_base if container.start_time is not None else 0.0

        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            v_out: VideoStream | None = None
            a_out: AudioStream | None = None
            resampler: av.AudioResampler | None = None
            rate = Fraction(25)
            if in_video is not None:
                encoder = _h264_encoder()
                rate = Fraction(in_video.average_rate or in_video.guessed_rate or 25).limit_denominator(1001)
                v_out = out.add_stream(encoder, rate=rate)
                v_out.width, v_out.height = _scaled(
                    in_video.codec_context.width, in_video.codec_context.height, max_height
                )
                v_out.pix_fmt = "yuv420p"
                if encoder == "libx264":
                    v_out.options = {"crf": str(crf), "preset": "veryfast", "profile": "high"}
            if in_audio is not None:
                layout = "stereo" if (in_audio.codec_context.channels or 1) >= 2 else "mono"
                a_out = out.add_stream("aac", rate=48000)
                a_out.layout = layout
                a_out.bit_rate = audio_bitrate
                resampler = av.AudioResampler(format="fltp", layout=layout, rate=48000)

            last_pts = -1
            next_sample: int | None = None
            streams = [s for s in (in_video, in_audio) if s is not None]
            for packet in container.demux(*streams):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    continue  # a damaged packet: skip it, as players do
                for frame in frames:
                    # A video packet decodes to pictures, an audio one to sound (only those are demuxed).
                    if isinstance(frame, av.VideoFrame) and v_out is not None:
                        pts = round(((frame.time or 0.0) - t0) * rate)
                        if pts <= last_pts:
                            continue  # constant frame rate: drop duplicates
                        last_pts = pts
                        picture = frame.reformat(width=v_out.width, height=v_out.height, format="yuv420p")
                        picture.pts = pts
                        picture.time_base = Fraction(1) / rate
                        for p in v_out.encode(picture):
                            out.mux(p)
                    elif isinstance(frame, av.AudioFrame) and a_out is not None and resampler is not None:
                        if next_sample is None:
                            next_sample = max(0, round(((frame.time or t0) - t0) * 48000))
                        for chunk in resampler.resample(frame):
                            chunk.pts, chunk.time_base = next_sample, Fraction(1, 48000)
                            next_sample += chunk.samples
                            for p in a_out.encode(chunk):
                                out.mux(p)
            if resampler is not None and a_out is not None:
                for chunk in resampler.resample(None):
                    chunk.pts, chunk.time_base = next_sample or 0, Fraction(1, 48000)
                    next_sample = (next_sample or 0) + chunk.samples
                    for p in a_out.encode(chunk):
                        out.mux(p)
            for encoding in (v_out, a_out):
                if encoding is not None:
                    for p in encoding.encode(None):
                        out.mux(p)
    os.replace(tmp, dst)
    return dst


def is_web_playable(path: str | os.PathLike[str]) -> bool:
    """True for an MP4 whose video is H.264 4:2:0 and whose audio is AAC or MP3."""
    try:
        container = av.open(os.fspath(path), metadata_errors="ignore")
    except (av.error.FFmpegError, OSError):
        return False
    with container:
        if "mp4" not in container.format.name.split(","):
            return False
        streams = [s for s in container.streams if s.type in ("video", "audio")]
        if not streams:
            return False
        for stream in streams:
            codec = stream.codec_context
            if codec is None:
                return False
            if isinstance(stream, VideoStream) and (
                codec.name != "h264" or stream.codec_context.pix_fmt not in _WEB_PIXEL_FORMATS
            ):
                return False
            if stream.type == "audio" and codec.name not in _WEB_AUDIO:
                return False
    return True


def make_demo_video(
    audio_path: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    title: str,
    *,
    size: tuple[int, int] = (320, 180),
    fps: int = 2,
) -> Path:
    """A small H.264/AAC MP4 of a recording over a still picture: solid colour frames whose
    colour comes from ``title`` (stored as the file's title metadata)."""
    dst = Path(dst)
    tmp = _tmp(dst)
    width, height = size
    colour = hashlib.sha256(title.encode()).digest()[:3]
    picture = np.empty((height, width, 3), np.uint8)
    picture[:] = [40 + c // 2 for c in colour]  # keep it mid-dark
    picture[height - height // 8 :, :] = 235  # a light band, like a lower third

    with _open(audio_path) as source:
        if not source.streams.audio or source.streams.audio[0].codec_context is None:
            raise NoAudioStreamError(
                audio_path, "the file has no decodable audio track to make a video from."
            )
        in_audio = source.streams.audio[0]
        layout = "stereo" if (in_audio.codec_context.channels or 1) >= 2 else "mono"
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            out.metadata["title"] = title
            v_out = out.add_stream(_h264_encoder(), rate=fps)
            v_out.width, v_out.height, v_out.pix_fmt = width, height, "yuv420p"
            if v_out.codec_context.name == "libx264":
                v_out.options = {"preset": "veryfast", "crf": "30", "tune": "stillimage"}
            a_out = out.add_stream("aac", rate=48000)
            a_out.layout = layout
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=48000)

            samples = 0
            frames_written = 0

            def pictures_until(seconds: float) -> None:
                nonlocal frames_written
                while frames_written < seconds * fps:
                    frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")
                    frame.pts = frames_written
                    frames_written += 1
                    for p in v_out.encode(frame):
                        out.mux(p)

            def audio(chunks: Iterable[av.AudioFrame]) -> None:
                nonlocal samples
                for chunk in chunks:
                    chunk.pts, chunk.time_base = samples, Fraction(1, 48000)
                    samples += chunk.samples
                    for p in a_out.encode(chunk):
                        out.mux(p)
                pictures_until(samples / 48000)

            for frame in source.decode(in_audio):
                audio(resampler.resample(frame))
            audio(resampler.resample(None))
            pictures_until(max(samples / 48000, 1.0 / fps))
            for p in v_out.encode(None):
                out.mux(p)
            for p in a_out.encode(None):
                out.mux(p)
    os.replace(tmp, dst)
    return dst
