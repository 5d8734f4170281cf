"""What the live transcripts do when the recording stores a segment (recording.signals) and when the
live transcription stores lines (`signals.lines_stored`, after commit).

A stored segment wakes the channel's live transcription. Stored lines are matched against the
watchlists at once, in the storing process: this is the air-to-alert path, and a queue in between
would add its wait to every alert. The recordings' search index is fed next. Either step that fails
is handed to the worker to retry, so a hiccup neither loses an alert nor stops the transcription;
`raise_alerts` stores each alert once however often it runs.
"""

import logging

from . import signals

log = logging.getLogger(__name__)


def segment_stored(sender, *, source_id: int, segment_id: int, **kwargs) -> None:
    from . import actions

    try:
        actions.wake(source_id)
    except Exception:  # the recorder must go on whatever happens here; the minute's tick catches up
        log.exception("live transcription: could not wake the work for channel source %s", source_id)


def on_lines_stored(sender=None, source_id: int = 0, line_ids=(), **kwargs) -> None:
    from . import actions, livesearch, tasks

    line_ids = list(line_ids)
    try:
        actions.raise_alerts(source_id, line_ids)
    except Exception:
        log.exception(
            "matching watchlists on %d lines of source %s failed: retrying in the worker",
            len(line_ids),
            source_id,
        )
        tasks.match_lines(source_id, line_ids)
    try:
        livesearch.index_lines(line_ids)
    except Exception:
        log.exception("indexing %d live lines failed: retrying in the worker", len(line_ids))
        tasks.index_live_lines(line_ids)


def connect() -> None:
    signals.lines_stored.connect(on_lines_stored, dispatch_uid="alerts.on_lines_stored")
