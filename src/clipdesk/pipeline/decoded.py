"""What the pipeline reads of faster-whisper's decodings, as types.

faster-whisper ships no type information, so its ``Segment`` and ``Word`` are unknown to a type
checker. These protocols name the attributes the pipeline relies on (faster-whisper's named
tuples have them, and so do the stand-ins the tests build), so that a change on either side shows
where it matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["DecodedSegment", "DecodedWord"]


class DecodedWord(Protocol):
    """A word with its times (seconds); ``word`` keeps its leading space."""

    @property
    def word(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def probability(self) -> float: ...


class DecodedSegment(Protocol):
    """One decoded stretch (seconds) with the decoder's scores; ``words`` only with word timestamps."""

    @property
    def seek(self) -> int: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def words(self) -> Sequence[DecodedWord] | None: ...
    @property
    def avg_logprob(self) -> float: ...
    @property
    def no_speech_prob(self) -> float: ...
    @property
    def compression_ratio(self) -> float: ...
