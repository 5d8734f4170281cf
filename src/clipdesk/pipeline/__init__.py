"""clipdesk's speech pipeline: decode, transcribe, tell speakers apart, translate into English.

Django-free. Typical use, loading the model once per process::

    from clipdesk.pipeline import Pipeline, PipelineOptions

    pipeline = Pipeline()  # the bundled Whisper base, verified; or Pipeline(model_dir=...)
    segments, info = pipeline.transcribe("clip.mp4", PipelineOptions(translate="whisper"))
    for segment in segments:  # decoded lazily, segment by segment
        store(segment, progress=info.progress(segment))

Names are imported on first use, so ``clipdesk.pipeline.media`` does not load the speech stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .audio import AudioData, MediaError, decode_audio
    from .models import ModelError, load_whisper
    from .transcribe import Pipeline, PipelineOptions, Segment, TranscriptionInfo, Word
    from .translate import Translator

__all__ = [
    "AudioData",
    "MediaError",
    "ModelError",
    "Pipeline",
    "PipelineOptions",
    "Segment",
    "TranscriptionInfo",
    "Translator",
    "Word",
    "decode_audio",
    "load_whisper",
]

_HOME = {
    "AudioData": "audio",
    "MediaError": "audio",
    "decode_audio": "audio",
    "ModelError": "models",
    "load_whisper": "models",
    "Pipeline": "transcribe",
    "PipelineOptions": "transcribe",
    "Segment": "transcribe",
    "TranscriptionInfo": "transcribe",
    "Word": "transcribe",
    "Translator": "translate",
}


def __getattr__(name: str) -> object:
    if name in _HOME:
        value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
