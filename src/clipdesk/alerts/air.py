"""A window's air as the speech model reads it: the stored segments decoded and laid on the wall
clock, so that sample n of the result is `read_from` + n / 16000 seconds of air."""

import shutil
import tempfile
from pathlib import Path

import numpy as np
from django.core.files.storage import default_storage

from clipdesk.pipeline.audio import AudioData, decode_audio

from .windows import Plan

RATE = 16000


def window_audio(window: Plan) -> AudioData:
    """Each segment is decoded alone and put at its own start time (its stored wall-clock time), so
    a segment a little short or long never shifts the ones after it. MediaError when one cannot be
    decoded; FileNotFoundError when one is no longer stored."""
    total = max(1, round(window.seconds * RATE))
    samples = np.zeros(total, dtype=np.float32)
    with tempfile.TemporaryDirectory(prefix="clipdesk-live-") as tmp:
        for segment in window.segments:
            decoded = decode_audio(_local(segment.file.name, Path(tmp))).samples
            at = round((segment.start - window.read_from).total_seconds() * RATE)
            length = min(decoded.shape[0], round(segment.duration_ms * RATE / 1000) or decoded.shape[0])
            first = max(0, -at)  # the part of the segment before read_from is not wanted
            stop = min(length, total - at)
            if stop > first:
                samples[at + first : at + stop] = decoded[first:stop]
    return AudioData(samples, RATE)


def _local(name: str, tmp: Path) -> str:
    try:
        return default_storage.path(name)
    except NotImplementedError:  # remote storage (S3): a local copy
        local = tmp / Path(name).name
        with default_storage.open(name, "rb") as remote, open(local, "wb") as handle:
            shutil.copyfileobj(remote, handle, 1 << 20)
        return str(local)
