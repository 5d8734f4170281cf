"""Look inside a media file with PyAV: container, streams and duration. Content decides, not the name.

What the probe finds is also what the file is served as (clipdesk.media.views): a name or a declared
type can say anything, and a file served from our origin as script or HTML would run with a reader's
cookies, whatever it claims to be.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av

from .streams import Storage, StoredFile

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

# The types a probed file may be served inline as: each container's, and its audio-only form.
PLAYABLE_TYPES = frozenset(
    {*MIME_BY_FORMAT.values()} | {"audio/" + t.split("/", 1)[1] for t in MIME_BY_FORMAT.values()}
)

# Posters are pictures: JPEG or PNG, known by their first bytes.
IMAGE_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
SNIFF_BYTES = 8


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


def sniff_image(head: bytes) -> str | None:
    """'image/jpeg' or 'image/png' when `head` (a file's first bytes) starts one, else None."""
    for signature, mime in IMAGE_SIGNATURES.items():
        if head.startswith(signature):
            return mime
    return None


def probe(path: str | Path | BinaryIO | StoredFile, *, name: str | None = None) -> Probe:
    """Probe a file on disk, or an open binary file (a stored one); `name` is what messages call it."""
    name = name or Path(getattr(path, "name", None) or str(path)).name
    try:
        container = av.open(str(path) if isinstance(path, str | Path) else path, mode="r")
    except (av.error.InvalidDataError, av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise ProbeError(f"{name} is not a media file we can read ({exc.__class__.__name__}).") from exc
    with container:
        video = next(iter(container.streams.video), None)
        audio = next(iter(container.streams.audio), None)
        if audio is None and video is None:
            raise ProbeError(f"{name} has no audio or video stream.")
        duration = container.duration / av.time_base if container.duration else None
        if not duration:
            stream = audio or video
            if stream is not None and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
        if not duration or duration <= 0:
            raise ProbeError(f"{name} has no duration: it is empty or truncated.")
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


def probe_stored(storage: Storage, name: str) -> Probe:
    """Probe a file already in the storage: in place on disk, else read through the storage."""
    try:
        path = storage.path(name)
    except NotImplementedError:  # a remote store: PyAV reads the stored object itself
        with storage.open(name, "rb") as handle:
            return probe(handle, name=Path(name).name)
    if not Path(path).exists():
        raise ProbeError(f"{Path(name).name} is missing from storage.")
    return probe(path)
