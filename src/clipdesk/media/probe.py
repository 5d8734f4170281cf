"""Look inside a media file with PyAV: container, streams and duration. Content decides, not the name."""

from dataclasses import dataclass
from pathlib import Path

import av

MIME_BY_FORMAT = {
    "mov,mp4,m4a,3gp,3g2,mj2": "video/mp4",
    "matroska,webm": "video/webm",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "mpegts": "video/mp2t",
    "avi": "video/x-msvideo",
}


class ProbeError(ValueError):
    """The file is not media we can use; the message says why, in words a user can act on."""


@dataclass(frozen=True, slots=True)
class Probe:
    format_name: str
    mime_type: str
    duration_ms: int
    has_video: bool
    has_audio: bool
    video_codec: str | None
    audio_codec: str | None


def probe(path: str | Path) -> Probe:
    try:
        container = av.open(str(path))
    except (av.error.InvalidDataError, av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise ProbeError(
            f"{Path(path).name} is not a media file we can read ({exc.__class__.__name__})."
        ) from exc
    with container:
        video = next(iter(container.streams.video), None)
        audio = next(iter(container.streams.audio), None)
        if audio is None and video is None:
            raise ProbeError(f"{Path(path).name} has no audio or video stream.")
        duration = container.duration / av.time_base if container.duration else None
        if not duration:
            stream = audio or video
            if stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
        if not duration or duration <= 0:
            raise ProbeError(f"{Path(path).name} has no duration: it is empty or truncated.")
        mime = MIME_BY_FORMAT.get(container.format.name, "application/octet-stream")
        if mime.startswith("video/") and video is None:
            mime = "audio/" + mime.split("/", 1)[1]
        return Probe(
            format_name=container.format.name,
            mime_type=mime,
            duration_ms=round(duration * 1000),
            has_video=video is not None,
            has_audio=audio is not None,
            video_codec=video.codec_context.name if video else None,
            audio_codec=audio.codec_context.name if audio else None,
        )
