"""The demo's bilingual clip: the repository's Arabic samples through the real pipeline, then the texts a
person wrote.

`make demo` shows what clipdesk is for only if it has a clip with an original beside its English. The
five Arabic recordings in samples/audio/rhasspy-ar are joined into one (with a pause between them), and
ingested as any recording is: the pipeline drafts the Arabic and a machine English. Then each line gets
the text its recording was read from (the `.txt` beside it) and the English a person wrote for it
(`ENGLISH.tsv`), through the editor's own action, so each line's history keeps the machine drafts.
"""

import csv
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from clipdesk.transcripts.actions import edit_segment

ARABIC_SAMPLES = Path(settings.BASE_DIR).parents[1] / "samples" / "audio" / "rhasspy-ar"
RATE = 44_100  # every sample's rate
PAUSE_SECONDS = 0.8


@dataclass(frozen=True)
class Part:
    """One sample's place in the joined recording, and its reference texts."""

    name: str
    start_ms: int
    end_ms: int
    original: str
    english: str


def _mono(path: Path) -> np.ndarray:
    with wave.open(str(path)) as recording:
        if recording.getframerate() != RATE or recording.getsampwidth() != 2:
            raise ValueError(f"{path.name}: expected 16-bit audio at {RATE} Hz")
        channels = recording.getnchannels()
        samples = np.frombuffer(recording.readframes(recording.getnframes()), dtype="<i2")
    return samples.reshape(-1, channels).mean(axis=1).astype("<i2")  # one sample is stereo


def join_samples(target: Path, directory: Path = ARABIC_SAMPLES) -> list[Part]:
    """Write the samples, in name order, as one mono WAV at `target`; return where each one is."""
    with (directory / "ENGLISH.tsv").open(encoding="utf-8", newline="") as handle:
        english = {row["file"]: row["english"] for row in csv.DictReader(handle, delimiter="\t")}
    pause = np.zeros(int(PAUSE_SECONDS * RATE), dtype="<i2")
    pieces, parts, at = [pause], [], len(pause)
    for path in sorted(directory.glob("*.wav")):
        audio = _mono(path)
        original = path.with_suffix(".txt").read_text(encoding="utf-8").strip()
        parts.append(
            Part(path.stem, at * 1000 // RATE, (at + len(audio)) * 1000 // RATE, original, english[path.stem])
        )
        pieces += [audio, pause]
        at += len(audio) + len(pause)
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.concatenate(pieces).tobytes())
    return parts


def apply_reference_texts(clip, parts: list[Part], *, user=None) -> int:
    """Give each line of the draft the reference texts of the samples it covers; returns the lines changed.

    A sample belongs to the line it overlaps most, so the texts follow however the recogniser cut the
    recording into lines. A line that covers no sample keeps its machine draft (it stays marked as such).
    """
    segments = list(clip.segments.in_order())
    covered: dict[int, list[Part]] = {s.pk: [] for s in segments}

    def overlap(part: Part, segment) -> int:
        return min(part.end_ms, segment.end_ms or 0) - max(part.start_ms, segment.start_ms or 0)

    for part in parts:
        best = max(segments, key=lambda s: overlap(part, s), default=None)
        if best is not None and overlap(part, best) > 0:
            covered[best.pk].append(part)
    changed = 0
    for segment in segments:
        if texts := covered[segment.pk]:
            edit_segment(
                segment.pk,
                user=user,
                version=segment.version,
                original_text=" ".join(p.original for p in texts),
                english_text=" ".join(p.english for p in texts),
            )
            changed += 1
    return changed
