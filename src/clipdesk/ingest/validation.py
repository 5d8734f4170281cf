"""Checking a recording before anything of it is stored: by its content, with PyAV.

`inspect_media` opens the container, looks at its streams and duration, decodes a second of audio
at the start and a little at the declared end (a cut-off copy fails there), and raises an
`IngestRejected` subclass whose message says what is wrong and what to do. It reads a few packets,
not the whole file, so a web request can afford it.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import av
from django.core.exceptions import ValidationError

from clipdesk.archive.models import format_duration
from clipdesk.media.probe import MIME_BY_FORMAT
from clipdesk.pipeline import audio as pipeline_audio

from . import wording


class IngestRejected(ValidationError):
    """The file or the options cannot be ingested; the message says why and what to do."""

    code = "rejected"

    def __init__(self, message: str):
        super().__init__(message, code=self.code)


class NotMedia(IngestRejected):
    code = "not_media"


class NoAudio(IngestRejected):
    code = "no_audio"


class Truncated(IngestRejected):
    code = "truncated"


class UnsupportedCodec(IngestRejected):
    code = "unsupported_codec"


class TooLarge(IngestRejected):
    code = "too_large"


class TooLong(IngestRejected):
    code = "too_long"


class BadOptions(IngestRejected):
    code = "bad_options"


# The pipeline's decoding errors, as the rejections a user sees.
_FROM_PIPELINE = {
    pipeline_audio.NotMediaError: NotMedia,
    pipeline_audio.NoAudioStreamError: NoAudio,
    pipeline_audio.TruncatedMediaError: Truncated,
    pipeline_audio.UnsupportedCodecError: UnsupportedCodec,
}


def rejection(error: pipeline_audio.MediaError) -> IngestRejected:
    for kind, rejected in _FROM_PIPELINE.items():
        if isinstance(error, kind):
            return rejected(str(error))
    return NotMedia(str(error))


@dataclass(frozen=True)
class MediaFacts:
    format_name: str
    mime_type: str
    duration: float  # seconds, as the container declares it
    audio_duration: float  # seconds, as the audio track declares it (else the container)
    size: int
    has_video: bool
    audio_codec: str
    channels: int


def inspect_media(path: str | os.PathLike, *, max_bytes: int) -> MediaFacts:
    path = Path(path)
    name = path.name
    size = path.stat().st_size
    if size == 0:
        raise Truncated(f"{name}: the file is empty (0 bytes); the upload or copy did not complete.")
    if size > max_bytes:
        raise TooLarge(
            f"{name}: the file is {wording.size(size)}, over the limit of {wording.size(max_bytes)} "
            "(CLIPDESK_MAX_UPLOAD_MB). Cut the recording, or ask an operator to raise the limit."
        )
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError:
        # The pipeline's decoder fails at the same place, and tells "damaged media" from "not media".
        raise _classify_unreadable(path) from None
    with container:
        audio = container.streams.audio[0] if container.streams.audio else None
        if audio is None:
            kinds = ", ".join(sorted({s.type for s in container.streams})) or "no streams"
            raise NoAudio(
                f"{name}: the file has no audio track (it contains: {kinds}), so there is nothing to "
                "transcribe. Upload a version of the recording with its sound."
            )
        if audio.codec_context is None:
            raise _unsupported(name, "unknown")
        duration = pipeline_audio.declared_duration(container, audio, prefer_stream=False)
        if not duration or duration <= 0:
            raise Truncated(f"{name}: the file declares no length; it is empty or truncated.")
        facts = MediaFacts(
            format_name=container.format.name,
            mime_type=_mime(container),
            duration=duration,
            audio_duration=pipeline_audio.declared_duration(container, audio) or duration,
            size=size,
            has_video=bool(container.streams.video),
            audio_codec=audio.codec_context.name,
            channels=audio.codec_context.channels or 1,
        )
        _decode_some(name, container, audio, seconds=1.0)
    _check_riff_length(path)
    cut = pipeline_audio.frames_shortfall(path)
    if cut:
        raise Truncated(f"{name}: {pipeline_audio.truncated_frames_message(*cut)}")
    if pipeline_audio.trusts_declared_duration(facts.format_name):
        _check_end(path, facts)
    return facts


def _check_riff_length(path: Path) -> None:
    """FFmpeg takes a WAV's length from the bytes present, so a cut-off WAV looks whole: the
    pipeline compares the length its RIFF header declares with the file's size."""
    size = path.stat().st_size
    missing = pipeline_audio.riff_shortfall(path, size)
    if missing:
        raise Truncated(
            f"{path.name}: the file is truncated: its header declares {size + missing} bytes but only {size} are "
            "present. Copy or upload the complete file again."
        )


def _classify_unreadable(path: Path) -> IngestRejected:
    try:
        pipeline_audio.decode_audio(path)
    except pipeline_audio.MediaError as exc:
        return rejection(exc)
    return NotMedia(f"{path.name}: FFmpeg cannot open this file as audio or video.")


def _unsupported(name: str, codec: str) -> UnsupportedCodec:
    return UnsupportedCodec(
        f"{name}: the audio track uses a codec ({codec}) this FFmpeg build cannot decode. Convert the "
        "recording to AAC, MP3, Opus, FLAC or PCM WAV and upload that."
    )


def _mime(container) -> str:
    mime = MIME_BY_FORMAT.get(container.format.name, "application/octet-stream")
    if mime.startswith("video/") and not container.streams.video:
        mime = "audio/" + mime.split("/", 1)[1]
    return mime


def _decode_some(name: str, container, stream, *, seconds: float, from_time: float = 0.0) -> float:
    """Decodes up to `seconds` of audio from where the container stands; returns the end time reached
    (relative to the stream's start). Raises UnsupportedCodec or Truncated when nothing decodes."""
    origin = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
    decoded = 0.0
    reached = None
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.DecoderNotFoundError:
                raise _unsupported(name, stream.codec_context.name) from None
            except (av.error.InvalidDataError, av.error.EOFError):
                continue  # an isolated damaged packet; judged by what decodes around it
            for frame in frames:
                if frame.sample_rate:
                    decoded += frame.samples / frame.sample_rate
                    if frame.time is not None:
                        reached = frame.time - origin + frame.samples / frame.sample_rate
            if decoded >= seconds:
                break
    except av.error.FFmpegError as exc:
        raise Truncated(f"{name}: the audio cannot be read ({exc.strerror}); the file is damaged.") from None
    if decoded == 0:
        where = "at its start" if from_time == 0 else f"near its end ({format_duration(from_time * 1000)})"
        raise Truncated(
            f"{name}: no sound could be decoded {where}; the file is damaged or truncated. "
            "Copy or upload the complete file again."
        )
    return reached if reached is not None else from_time + decoded


def _check_end(path: Path, facts: MediaFacts) -> None:
    """A copy cut short still declares its full length in its header: decode near that end."""
    length = facts.audio_duration
    tolerance = pipeline_audio.truncation_tolerance(length)
    start = max(0.0, length - 2.0)
    with av.open(str(path), metadata_errors="ignore") as container:
        stream = container.streams.audio[0]
        if start > 0:
            # Seek on the audio track: a video track's key frames can be far apart (a still picture
            # has one), and seeking on it would land near the start.
            origin = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
            try:
                container.seek(int((start + origin) / stream.time_base), stream=stream, backward=True)
            except av.error.FFmpegError:
                raise _cut_short(path.name, facts, 0.0) from None
        try:
            reached = _decode_some(path.name, container, stream, seconds=3.0, from_time=start)
        except Truncated:
            raise _cut_short(path.name, facts, 0.0) from None
    if reached < length - tolerance:
        raise _cut_short(path.name, facts, reached)


def _cut_short(name: str, facts: MediaFacts, reached: float) -> Truncated:
    got = f"only {format_duration(reached * 1000)} of" if reached else "not all of"
    return Truncated(
        f"{name}: the file is truncated: {got} the {format_duration(facts.audio_duration * 1000)} its header "
        "declares can be read. Copy or upload the complete file again."
    )


def check_span(
    name: str, duration: float, start: float | None, end: float | None, *, max_seconds: float
) -> tuple[float | None, float | None]:
    """The cut to make, in seconds (None for "from the start" / "to the end"), within the limits."""
    if (start is not None and start < 0) or (end is not None and end < 0):
        raise BadOptions("The start and end of the cut cannot be negative.")
    if start is not None and start >= duration:
        raise BadOptions(
            f"The cut starts at {format_duration(start * 1000)}, but {name} lasts only "
            f"{format_duration(duration * 1000)}."
        )
    if start is not None and end is not None and end <= start:
        raise BadOptions("The cut must end after it starts.")
    if end is not None and end >= duration:
        end = None  # to the end of the recording
    if start == 0:
        start = None
    length = (end if end is not None else duration) - (start or 0.0)
    if length > max_seconds:
        what = "the cut" if start is not None or end is not None else name
        raise TooLong(
            f"{what} lasts {format_duration(length * 1000)}, over the limit of "
            f"{format_duration(max_seconds * 1000)} (CLIPDESK_MAX_DURATION_MINUTES). Cut a shorter clip "
            "with start and end, or ask an operator to raise the limit."
        )
    return start, end


def whisper_language(code: str) -> str | None:
    """The Whisper language code for a BCP 47 tag ("ar", "fa-IR"...), None for "auto"."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES  # the languages Whisper was trained on

    code = (code or "auto").strip()
    if code.lower() == "auto":
        return None
    primary = code.replace("_", "-").split("-", 1)[0].lower()
    primary = {"jv": "jw"}.get(primary, primary)  # Whisper's own spelling of Javanese
    if primary not in _LANGUAGE_CODES:
        raise BadOptions(
            f"Whisper does not know the language {code!r}. Use 'auto' to identify it, or a BCP 47 code "
            "such as ar, fa, tr, ur, he, ru or en."
        )
    return primary


def parse_time(text: str) -> float:
    """Seconds from "95", "95.5", "1:35" or "1:01:35.5" ([h:]mm:ss); ValueError when it is none of them."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f"{text!r} is not a time: give seconds (95) or [h:]mm:ss (1:35, 1:01:35)")
    try:
        *whole, seconds = parts
        values = [int(p) for p in whole] + [float(seconds)]
    except ValueError:
        raise ValueError(f"{text!r} is not a time: give seconds (95) or [h:]mm:ss (1:35, 1:01:35)") from None
    if (
        any(v < 0 for v in values)
        or (len(parts) > 1 and values[-1] >= 60)
        or (len(parts) == 3 and values[1] >= 60)
    ):
        raise ValueError(f"{text!r} is not a time: minutes and seconds run from 0 to 59")
    total = 0.0
    for value in values:
        total = total * 60 + value
    return total
