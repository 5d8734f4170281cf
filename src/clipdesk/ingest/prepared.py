"""Transcripts made before the job ran: an app above ingest may hold the lines of a job's recording
already (the live transcript of a span cut from a channel's recording), and offer them so that the
job stores them instead of transcribing the recording again.

A provider is a callable `provider(job, duration) -> Prepared | None`, registered in its AppConfig's
`ready()`; the first that answers wins. `duration` is the job's audio length in seconds (after a
cut): the lines' times are counted from its start and must fall within it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from clipdesk.pipeline.transcribe import Segment


@dataclass
class Prepared:
    segments: list[Segment]
    origin: str  # what made them, for the job's log and timings ("live transcript")
    languages: dict[str, float] = field(default_factory=dict)  # seconds of speech per Whisper code

    @property
    def language(self) -> str:
        return max(self.languages, key=lambda code: self.languages[code]) if self.languages else ""


_providers: list[Callable] = []


def register(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def prepared_transcript(job, duration: float) -> Prepared | None:
    for provider in _providers:
        found = provider(job, duration)
        if found is not None:
            return found
    return None
