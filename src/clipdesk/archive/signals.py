"""Signals sent after a clip's change has committed; receivers get ids, never instances.

One exception, `published_text_proposed`, is sent inside the action's transaction: it hands a higher
app the work that the archive cannot do without importing it (see its comment)."""

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

clip_published = Signal()  # clip_id
clip_withdrawn = Signal()  # clip_id
clip_changed = Signal()  # clip_id: its transcript or editorial fields changed after publication

# clip, user, title and/or summary: readers' text of a published clip changes only through a published
# correction, which the transcripts app keeps. Sent inside update_clip's transaction; a receiver's
# error undoes the update. The transcripts app connects the one receiver (TranscriptsConfig.ready).
published_text_proposed = Signal()


def send_on_commit(signal: Signal, clip_id: int) -> None:
    """Send `signal` for the clip once the current transaction commits.

    Every receiver runs even if another fails (the queue is down, say): the change itself is
    committed by then and must not turn into an error page. What a failed receiver missed is
    derived data that `clipdesk repair` and the digest run rebuild, so it is logged, not raised.
    """
    from .models import Clip

    def send() -> None:
        for receiver, error in signal.send_robust(sender=Clip, clip_id=clip_id):
            if isinstance(error, Exception):
                log.error("after commit of clip %s: %s failed: %r", clip_id, receiver, error, exc_info=error)

    transaction.on_commit(send, robust=True)
