"""Helpers of the live transcription tests (tests/ is on the path: `from alerts.program import ...`):
a program of the repository's real speech samples with silence and tone between them, cut into
MPEG-TS segments (AAC audio) and stored as a recorder stores them."""

import datetime as dt
import io
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from clipdesk.pipeline.audio import decode_audio
from clipdesk.recording import actions

RATE = 16000
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"
HOLDER = "test-recorder"
# The AAC encoder's priming: the program's first sample airs this long after the stream's first packet.
PRIMING = 1024 / RATE


def sample(name: str) -> np.ndarray:
    return decode_audio(SAMPLES / name).samples


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def tone(seconds: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def program(*parts) -> tuple[np.ndarray, dict[str, float]]:
    """Joins parts (arrays, or (name, array) pairs to remember where they start); returns the
    samples and {name: start second}."""
    pieces, marks, at = [], {}, 0
    for part in parts:
        if isinstance(part, tuple):
            marks[part[0]] = at / RATE
            part = part[1]
        pieces.append(part)
        at += part.shape[0]
    return np.concatenate(pieces).astype(np.float32), marks


def encode(samples: np.ndarray) -> bytes:
    """The whole program as one MPEG-TS stream of AAC audio, as a channel sends it."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mpegts") as out:
        stream = out.add_stream("aac", rate=RATE)
        stream.layout = "mono"
        for at in range(0, samples.shape[0], 1024):
            frame = av.AudioFrame.from_ndarray(
                samples[at : at + 1024].reshape(1, -1), format="flt", layout="mono"
            )
            frame.sample_rate = RATE
            frame.pts = at
            frame.time_base = Fraction(1, RATE)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return buffer.getvalue()


def cut(samples: np.ndarray, seconds: float, directory: Path) -> list[tuple[Path, float, float]]:
    """The stream remuxed (never re-encoded) into segments of about `seconds`, as the recorder cuts
    it: [(file, start second, end second)], times from the packets' timestamps."""
    source = av.open(io.BytesIO(encode(samples)), format="mpegts")
    stream = source.streams.audio[0]
    first = None
    pieces: list[tuple[Path, float, float]] = []
    out = track = None
    for packet in source.demux(stream):
        if packet.pts is None or packet.size == 0:
            continue
        t = float(packet.pts * packet.time_base)
        first = t if first is None else first
        t -= first
        if out is None or t >= pieces[-1][1] + seconds - 1e-6:
            if out is not None:
                out.close()
            path = directory / f"{len(pieces)}.ts"
            out = av.open(str(path), "w", format="mpegts")
            track = out.add_stream_from_template(stream)
            pieces.append((path, t, t))
        packet.stream = track
        out.mux(packet)
        end = t + float(packet.duration * packet.time_base)
        pieces[-1] = (pieces[-1][0], pieces[-1][1], end)
    if out is not None:
        out.close()
    source.close()
    return pieces


def take_lease(source) -> None:
    actions.acquire_leases(HOLDER, lease_seconds=3600)
    assert actions.renew_leases(HOLDER, [source.pk]) == {source.pk}


def store(
    source, samples: np.ndarray, start: dt.datetime, *, seconds: float = 4.0, first: int = 0, count=None
):
    """Stores segments `first`.. (of about `seconds` each) through the recorder's action, so the
    signal that wakes the live transcription is sent as in production. Returns the segments."""
    take_lease(source)
    stored = []
    with tempfile.TemporaryDirectory() as tmp:
        pieces = cut(samples, seconds, Path(tmp))
        last = len(pieces) if count is None else min(len(pieces), first + count)
        for path, begin, end in pieces[first:last]:
            stored.append(
                actions.store_segment(
                    source.pk,
                    path,
                    start=start + dt.timedelta(seconds=begin),
                    end=start + dt.timedelta(seconds=end),
                    holder=HOLDER,
                )
            )
    return stored
