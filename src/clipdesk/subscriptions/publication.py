"""The publication log: every publication and withdrawal, in one sequence that only goes up.

Why a log with a locked counter and not timestamps or autoincrement ids: a digest run remembers how
far it has read (a watermark). Timestamps tie and run backwards across machines; autoincrement ids are
drawn before commit, so on PostgreSQL a transaction that commits later can hold a lower id than one a
reader has already passed, and that clip would never be mailed. Here the counter row (the archive's
`Sequence`, named "publication") stays locked until the appending transaction commits, so events
become visible strictly in sequence order.

The archive sends its signals after commit; a process that dies in between would lose the event, so
`record_missing()` appends any published clip the log lacks before each digest run.
"""

import logging

from django.db import IntegrityError, transaction

from clipdesk.archive.models import Clip, Sequence

from .models import PublicationEvent

log = logging.getLogger(__name__)

COUNTER = "publication"


def _next_sequence() -> int:
    """The next value of the publication counter. Call inside a transaction: it stays locked until commit."""
    counter = Sequence.objects.select_for_update().filter(name=COUNTER).first()
    if counter is None:
        counter, _ = Sequence.objects.get_or_create(name=COUNTER)
        counter = Sequence.objects.select_for_update().get(pk=counter.pk)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


def record(clip_id: int, kind: str) -> PublicationEvent | None:
    """Append `kind` for the clip unless the log has it already; returns the new event, if any."""
    try:
        with transaction.atomic():
            sequence = _next_sequence()  # taken first: it serializes the check below as well
            if PublicationEvent.objects.filter(clip_id=clip_id, kind=kind).exists():
                transaction.set_rollback(True)  # give the number back: nothing was appended
                return None
            return PublicationEvent.objects.create(sequence=sequence, clip_id=clip_id, kind=kind)
    except IntegrityError:  # the clip was deleted in the meantime, or a racing append won
        log.info("publication log: %s of clip %s not recorded", kind, clip_id)
        return None


def record_missing() -> int:
    """Append a publication event for every published clip the log lacks. Returns how many."""
    recorded = PublicationEvent.objects.filter(kind=PublicationEvent.Kind.PUBLISHED).values("clip_id")
    missing = Clip.objects.published().exclude(pk__in=recorded).order_by("published_at", "pk")
    count = 0
    for clip_id in missing.values_list("pk", flat=True):
        if record(clip_id, PublicationEvent.Kind.PUBLISHED):
            count += 1
    if count:
        log.warning("publication log: recorded %d published clip(s) whose signal was lost", count)
    return count


def on_clip_published(sender, clip_id: int, **kwargs) -> None:
    record(clip_id, PublicationEvent.Kind.PUBLISHED)


def on_clip_withdrawn(sender, clip_id: int, **kwargs) -> None:
    record(clip_id, PublicationEvent.Kind.WITHDRAWN)
