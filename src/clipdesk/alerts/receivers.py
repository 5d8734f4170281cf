"""What the live transcription does when the recording stores a segment (recording.signals)."""

import logging

log = logging.getLogger(__name__)


def segment_stored(sender, *, source_id: int, segment_id: int, **kwargs) -> None:
    from . import actions

    try:
        actions.wake(source_id)
    except Exception:  # the recorder must go on whatever happens here; the minute's tick catches up
        log.exception("live transcription: could not wake the work for channel source %s", source_id)
