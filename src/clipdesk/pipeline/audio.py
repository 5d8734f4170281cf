"""Decoding any audio or video container to the float32 waveform the models read.

PyAV bundles FFmpeg's libraries, so no ffmpeg binary is needed. Failures are raised as
:class:`MediaError` subclasses whose messages say what is wrong with the file and what to do.
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass, field

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.stream import Stream

__all__ = [
    "AudioData",
    "MediaError",
    "NoAudioStreamError",
    "NoSpeechError",
    "NotMediaError",
    "TruncatedMediaError",
    "UnsupportedCodecError",
    "declared_duration",
    "decode_audio",
    "frames_shortfall",
    "riff_shortfall",
    "truncation_tolerance",
    "trusts_declared_duration",
]


class MediaError(Exception):
    """The file cannot be used as a recording; the message says why and what to do."""

    def __init__(self, path: str | os.PathLike[str], message: str):
        self.path = os.fspath(path)
        super().__init__(f"{os.path.basename(self.path)}: {message}")


class NotMediaError(MediaError):
    """The file is not an audio or video file at all (a document, an image, an HTML page...)."""


class NoAudioStreamError(MediaError):
    """The container opened but holds no audio track (a silent video, a still image)."""


class TruncatedMediaError(MediaError):
    """The file is empty, or ends before the length its own header declares (an incomplete copy)."""


class UnsupportedCodecError(MediaError):
    """The audio track uses a codec this build of FFmpeg cannot decode."""


class NoSpeechError(MediaError):
    """The recording decodes, but the voice activity detector finds no speech in it."""


@dataclass
class AudioData:
    """A decoded recording.

    ``samples`` is the mono mix the models read. ``channels`` keeps the left and right channels of
    a stereo source (both resampled like ``samples``) for the per-channel speaker analysis; for a
    mono or multichannel (5.1...) source it holds the mono mix only. ``start`` is where the
    decoded span begins in the file (seconds); times computed from the samples are relative to it.
    """

    samples: np.ndarray
    sample_rate: int = 16000
    channels: tuple[np.ndarray, ...] = field(default_factory=tuple)
    source_channels: int = 1
    start: float = 0.0

    def __post_init__(self) -> None:
        if not self.channels:
            self.channels = (self.samples,)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate

    @classmethod
    def from_array(cls, samples: np.ndarray, sample_rate: int = 16000) -> AudioData:
        """Wraps a waveform already at ``sample_rate``: 1-D mono, or 2-D ``(channels, samples)``."""
        array = np.asarray(samples, dtype=np.float32)
        if array.ndim == 1:
            return cls(array, sample_rate)
        channels = tuple(np.ascontiguousarray(c) for c in array)
        mono = array.mean(axis=0).astype(np.float32)
        return cls(mono, sample_rate, channels if len(channels) == 2 else (), len(channels))


# File signatures of common media formats: a file that starts like media but cannot be opened is
# reported as damaged/truncated rather than as "not media".
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"fLaC", "FLAC"),
    (0, b"RIFF", "WAV/AVI"),
    (0, b"OggS", "Ogg"),
    (0, b"ID3", "MP3"),
    (0, b"\x1aE\xdf\xa3", "Matroska/WebM"),
    (4, b"ftyp", "MP4/MOV"),
    (0, b"FORM", "AIFF"),
    (0, b"#!AMR", "AMR"),
    (0, b"0&\xb2u", "ASF/WMA"),
    (0, b"FLV", "FLV"),
)

# Containers whose duration is an estimate from the bit rate (MP3, MPEG-TS, raw AAC): a copy cut short
# still "lasts" what it holds, so comparing what decodes with it would only give false alarms (their
# cut-off copies are found by :func:`frames_shortfall`). Every other container's length is trusted.
ESTIMATED_DURATION_FORMATS = frozenset({"mp3", "mpegts", "aac"})


def trusts_declared_duration(format_name: str) -> bool:
    """Whether a container of this format (PyAV's ``format.name``) states its length exactly."""
    return format_name not in ESTIMATED_DURATION_FORMATS


def truncation_tolerance(length: float) -> float:
    """Seconds of a declared ``length`` that may be missing before a file counts as cut off: loose
    enough for an audio track that ends a frame or two before the pictures, tight enough to notice
    a short recording that lost a third of itself."""
    return min(1.0, max(0.25, 0.1 * length))


def declared_duration(
    container: InputContainer, stream: Stream, *, prefer_stream: bool = True
) -> float | None:
    """The length (seconds) that the audio ``stream`` declares, else its container; with
    ``prefer_stream=False`` the container's (the whole file, pictures included), else the stream's."""
    of_stream = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
    of_container = container.duration / av.time_base if container.duration else None
    return (of_stream or of_container) if prefer_stream else (of_container or of_stream)


def _sniff(path: str) -> str | None:
    with open(path, "rb") as f:
        head = f.read(16)
    for offset, magic, name in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return name
    return None


def riff_shortfall(path: str | os.PathLike[str], size: int) -> int:
    """Bytes missing from a RIFF/WAV file, by the length its header declares (0 if complete)."""
    with open(path, "rb") as f:
        head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] not in (b"WAVE", b"AVI "):
        return 0
    declared: int = struct.unpack("<I", head[4:8])[0] + 8
    # 0 and 0xFFFFFFFF are written by streaming recorders that never patch the header.
    if declared in (8, 0xFFFFFFFF + 8):
        return 0
    return max(0, declared - size)


# MPEG audio frame headers: bit rates (kbit/s) by (version is MPEG-1, layer) and sample rates by version.
_MP3_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3_frame_length(head: bytes) -> int | None:
    """The length in bytes of the MPEG audio frame whose 4-byte header is ``head``, None if it is not one."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version, layer = (head[1] >> 3) & 3, 4 - ((head[1] >> 1) & 3)
    bitrate_index, rate_index, padding = head[2] >> 4, (head[2] >> 2) & 3, (head[2] >> 1) & 1
    if version == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    mpeg1 = version == 3
    bitrate = _MP3_BITRATES[(mpeg1, layer)][bitrate_index] * 1000
    rate = _MP3_RATES[version][rate_index]
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    return (144 if mpeg1 or layer == 2 else 72) * bitrate // rate + padding


def _adts_frame_length(head: bytes) -> int | None:
    """The length of the ADTS (raw AAC) frame whose header starts ``head``, None if it is not one."""
    if len(head) < 7 or head[0] != 0xFF or head[1] & 0xF6 != 0xF0:
        return None
    length = ((head[3] & 3) << 11) | (head[4] << 3) | (head[5] >> 5)
    return length if length >= 7 else None


def _id3_size(data: mmap.mmap) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    return 10 + size + (10 if data[5] & 0x10 else 0)


def frames_shortfall(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(bytes expected, bytes present) for an MP3 or ADTS AAC file cut off, else None.

    These formats have no index: FFmpeg reads a cut-off copy to its end and estimates its length from
    the bit rate, so the copy "lasts" what it holds. But every frame states its own length, so the last
    frame of a copy cut mid-frame runs past the end of the file; and an MP3 encoder's Xing/Info header
    (LAME and FFmpeg write one) states the bytes of the whole stream, which finds a cut between frames.
    The frames are walked from the first to the last, so a damaged file in between is left to decoding.
    """
    path = os.fspath(path)
    size = os.path.getsize(path)
    if size < 16:
        return None
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = _id3_size(data)
        if start >= size:
            return (start, size)
        kind = None
        for frame_length, name in ((_mp3_frame_length, "mp3"), (_adts_frame_length, "adts")):
            first = frame_length(data[start : start + 7])
            # Two frames in a row (or one that runs past the end) make the format sure.
            if first and (start + first >= size or frame_length(data[start + first : start + first + 7])):
                kind = (frame_length, name)
                break
        if kind is None:
            return None
        frame_length, name = kind
        if name == "mp3":
            head = data[start : start + 200]
            for tag in (b"Xing", b"Info"):
                at = head.find(tag)
                if at > 0:
                    flags = int.from_bytes(head[at + 4 : at + 8], "big")
                    field = at + 8 + (4 if flags & 1 else 0)
                    if flags & 2 and len(head) >= field + 4:
                        declared = int.from_bytes(head[field : field + 4], "big")
                        if declared and start + declared > size:
                            return (start + declared, size)
                    break
        position = start
        while position < size:
            length = frame_length(data[position : position + 7])
            if length is None:
                return None  # a tag (ID3v1, APE) or damage: not a cut
            if position + length > size:
                return (position + length, size)
            position += length
    return None


def truncated_frames_message(expected: int, present: int) -> str:
    return (
        f"the file is truncated: its last audio frame (or its header) needs {expected} bytes but only "
        f"{present} are present. Copy or upload the complete file again."
    )


def decode_audio(
    path: str | os.PathLike[str],
    sample_rate: int = 16000,
    start: float | None = None,
    end: float | None = None,
) -> AudioData:
    """Decodes the first audio track of any container to float32 at ``sample_rate``.

    ``start``/``end`` (seconds) select a span. Raises :class:`MediaError` subclasses for files
    that are not media, have no audio track, are empty or cut off, or use an undecodable codec.
    """
    path = os.fspath(path)
    size = os.path.getsize(path)  # FileNotFoundError for a missing file, as for open()
    if size == 0:
        raise TruncatedMediaError(path, "the file is empty (0 bytes); the upload or copy did not complete.")
    missing = riff_shortfall(path, size)
    if missing:
        raise TruncatedMediaError(
            path,
            f"the file is truncated: its header declares {size + missing} bytes but only {size} are "
            "present. Copy or upload the complete file again.",
        )

    cut = frames_shortfall(path)
    if cut:
        raise TruncatedMediaError(path, truncated_frames_message(*cut))

    try:
        container = av.open(path, mode="r", metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        kind = _sniff(path)
        if kind:
            raise TruncatedMediaError(
                path,
                f"it looks like a {kind} file but cannot be read; it is damaged or truncated "
                f"({exc.strerror}). Copy or upload the complete file again.",
            ) from exc
        raise NotMediaError(
            path,
            "this is not an audio or video file (FFmpeg does not recognise the format). "
            "Upload the recording itself (MP4, MKV, TS, WAV, FLAC, MP3...).",
        ) from exc

    with container:
        if not container.streams.audio:
            kinds = ", ".join(sorted({s.type for s in container.streams})) or "no streams"
            raise NoAudioStreamError(
                path,
                f"the file has no audio track (it contains: {kinds}), so there is nothing to "
                "transcribe. Upload a version of the recording with its sound.",
            )
        stream = container.streams.audio[0]
        if stream.codec_context is None:
            raise UnsupportedCodecError(
                path,
                "the audio track uses a codec this FFmpeg build cannot decode. Convert the recording "
                "to a common format (AAC, MP3, Opus, FLAC or PCM WAV) and upload that.",
            )
        return _decode_stream(path, container, stream, sample_rate, start, end)


def _decode_stream(
    path: str,
    container: InputContainer,
    stream: AudioStream,
    sample_rate: int,
    start: float | None,
    end: float | None,
) -> AudioData:
    codec = stream.codec_context.name
    stereo = stream.codec_context.channels == 2
    resampler = av.AudioResampler(format="fltp", layout="stereo" if stereo else "mono", rate=sample_rate)
    if start:
        container.seek(int(start * av.time_base), any_frame=False, backward=True)

    chunks: list[np.ndarray] = []
    first_time: float | None = None
    errors = 0
    last_error: av.error.FFmpegError | None = None
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.DecoderNotFoundError as exc:
                raise UnsupportedCodecError(
                    path,
                    f"no decoder for the audio codec {codec!r} in this FFmpeg build. Convert the "
                    "recording to AAC, MP3, Opus, FLAC or PCM WAV and upload that.",
                ) from exc
            except (av.error.InvalidDataError, av.error.EOFError) as exc:
                # Isolated damaged packets are common in broadcast captures: skip them, and judge
                # by how much audio was recovered below.
                errors += 1
                last_error = exc
                continue
            for frame in frames:
                if first_time is None and frame.time is not None:
                    first_time = frame.time
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray())
    except av.error.FFmpegError as exc:
        raise TruncatedMediaError(
            path, f"the audio track cannot be read ({exc.strerror}); the file is damaged."
        ) from exc

    n_channels = 2 if stereo else 1
    data = np.concatenate(chunks, axis=1) if chunks else np.zeros((n_channels, 0), np.float32)
    decoded = data.shape[1] / sample_rate

    if decoded == 0:
        raise TruncatedMediaError(
            path,
            "the audio track holds no decodable sound; the file is damaged or truncated. "
            "Copy or upload the complete file again.",
        )

    # Trim to the requested span (seeking lands on a packet boundary before ``start``).
    offset = 0.0
    if start:
        lead = max(0.0, start - (first_time or 0.0))
        data = data[:, round(lead * sample_rate) :]
        offset = start
    if end is not None:
        data = data[:, : max(0, round((end - offset) * sample_rate))]

    if start is None and end is None:
        declared = declared_duration(container, stream)
        exact = trusts_declared_duration(container.format.name)
        if declared and (exact or errors) and declared - decoded > truncation_tolerance(declared):
            reason = f" ({last_error.strerror})" if last_error is not None else ""
            raise TruncatedMediaError(
                path,
                f"the file is truncated: only {decoded:.1f} s of the {declared:.1f} s its header "
                f"declares could be decoded{reason}. Copy or upload the complete file again.",
            )

    data = np.ascontiguousarray(data, dtype=np.float32)
    if stereo:
        left, right = data[0], data[1]
        mono = ((left + right) * 0.5).astype(np.float32)
        return AudioData(mono, sample_rate, (left, right), 2, offset)
    return AudioData(data[0], sample_rate, (), stream.codec_context.channels or 1, offset)
