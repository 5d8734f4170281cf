"""Cutting a clip out of a longer recording, to the frame and the sample, with PyAV.

The cut is written as an MP4: H.264 video (at most 720 lines) and AAC audio when the source has
pictures, AAC audio alone when it has none. Only the span is demuxed and decoded, so a five-minute
clip from a three-hour recording costs five minutes of decoding. The result is what the speech
pipeline reads and what the clip plays, so its times start at 0. The encoders and the picture size
are :mod:`.media`'s, as for renditions.
"""

import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.video.stream import VideoStream

from .media import _h264_encoder, _scaled, _tmp

_RATE = 48000


def cut_media(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    start: float | None,
    end: float | None,
    *,
    progress: Callable[[float], None] | None = None,
    max_height: int = 720,
) -> Path:
    """Writes the span [`start`, `end`) of `src` (seconds; None for its start or end) to `dst`, an MP4."""
    dst = Path(dst)
    tmp = _tmp(dst)
    start = start or 0.0
    with av.open(os.fspath(src), metadata_errors="ignore") as container:
        in_video = container.streams.video[0] if container.streams.video else None
        in_audio = container.streams.audio[0]
        duration = container.duration / av.time_base if container.duration else None
        stop = end if end is not None else (duration or float("inf"))
        length = max(stop - start, 1e-6)
        origin = container.start_time / av.time_base if container.start_time else 0.0
        if start:
            # On the default stream (the pictures, when there are any): back to the key frame before
            # `start`, so that the first kept picture decodes whole.
            container.seek(int((start + origin) * av.time_base), backward=True, any_frame=False)

        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            video = _VideoCut(out, in_video, start, stop, origin, max_height) if in_video else None
            audio = _AudioCut(out, in_audio, start, stop, origin)
            streams = [s for s in (in_video, in_audio) if s is not None]
            for packet in container.demux(*streams):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    continue  # a damaged packet: skip it, as players do
                for frame in frames:
                    # A video packet decodes to pictures, an audio one to sound (only those are demuxed).
                    if isinstance(frame, av.VideoFrame) and video is not None:
                        video.add(frame)
                    elif isinstance(frame, av.AudioFrame):
                        audio.add(frame)
                cut: _VideoCut | _AudioCut = (
                    video if video is not None and packet.stream is in_video else audio
                )
                if progress is not None and cut.reached is not None:
                    progress(min(1.0, max(0.0, (cut.reached - start) / length)))
                if audio.finished and (video is None or video.finished):
                    break
            if video is not None:
                video.flush()
            audio.flush()
    os.replace(tmp, dst)
    return dst


class _VideoCut:
    def __init__(
        self,
        out: OutputContainer,
        stream: VideoStream,
        start: float,
        stop: float,
        origin: float,
        max_height: int,
    ):
        self.out, self.start, self.stop, self.origin = out, start, stop, origin
        rate = stream.average_rate or stream.guessed_rate or 25
        self.rate = Fraction(rate).limit_denominator(1001)
        encoder = _h264_encoder()
        self.stream = out.add_stream(encoder, rate=self.rate)
        self.stream.width, self.stream.height = _scaled(
            stream.codec_context.width, stream.codec_context.height, max_height
        )
        self.stream.pix_fmt = "yuv420p"
        if encoder == "libx264":
            self.stream.options = {"crf": "23", "preset": "veryfast", "profile": "high"}
        self.last_pts = -1
        self.reached: float | None = None
        self.finished = False

    def add(self, frame: av.VideoFrame) -> None:
        if frame.time is None:
            return
        t = frame.time - self.origin
        self.reached = t
        if t >= self.stop:
            self.finished = True
            return
        pts = round((t - self.start) * self.rate)
        if pts < 0 or pts <= self.last_pts:
            return  # before the cut, or a duplicate (the output has a constant frame rate)
        self.last_pts = pts
        picture = frame.reformat(width=self.stream.width, height=self.stream.height, format="yuv420p")
        picture.pts, picture.time_base = pts, Fraction(1) / self.rate
        for packet in self.stream.encode(picture):
            self.out.mux(packet)

    def flush(self) -> None:
        for packet in self.stream.encode(None):
            self.out.mux(packet)


class _AudioCut:
    """Resamples to 48 kHz and keeps the samples inside the span, counted from the first frame's time."""

    def __init__(self, out: OutputContainer, stream: AudioStream, start: float, stop: float, origin: float):
        self.out, self.start, self.stop, self.origin = out, start, stop, origin
        self.layout = "stereo" if (stream.codec_context.channels or 1) >= 2 else "mono"
        self.stream = out.add_stream("aac", rate=_RATE)
        self.stream.layout = self.layout
        self.stream.bit_rate = 128_000
        self.resampler = av.AudioResampler(format="fltp", layout=self.layout, rate=_RATE)
        self.first_time: float | None = None
        self.position = 0  # resampled samples seen since first_time
        self.written = 0
        self.reached: float | None = None
        self.finished = False

    def add(self, frame: av.AudioFrame) -> None:
        if self.finished:
            return
        if self.first_time is None:
            if frame.time is None:
                return
            self.first_time = frame.time - self.origin
        self._keep(self.resampler.resample(frame), self.first_time)

    def flush(self) -> None:
        # Before a first frame, nothing went into the resampler and there is nothing to drain.
        if not self.finished and self.first_time is not None:
            self._keep(self.resampler.resample(None), self.first_time)
        for packet in self.stream.encode(None):
            self.out.mux(packet)

    def _keep(self, chunks: list[av.AudioFrame], first_time: float) -> None:
        for chunk in chunks:
            samples = chunk.to_ndarray()
            begin = first_time + self.position / _RATE
            self.position += samples.shape[1]
            self.reached = begin + samples.shape[1] / _RATE
            lo = max(0, round((self.start - begin) * _RATE))
            hi = min(samples.shape[1], round((self.stop - begin) * _RATE))
            if self.reached >= self.stop:
                self.finished = True
            if hi <= lo:
                continue
            piece = av.AudioFrame.from_ndarray(
                # fltp is float32 already: the dtype names it for the checker and copies nothing more.
                np.ascontiguousarray(samples[:, lo:hi], dtype=np.float32),
                format="fltp",
                layout=self.layout,
            )
            piece.sample_rate, piece.pts, piece.time_base = _RATE, self.written, Fraction(1, _RATE)
            self.written += hi - lo
            for packet in self.stream.encode(piece):
                self.out.mux(packet)
