"""The archive's published corrections, newest first: for the public corrections page and its feeds.

A correction of a clip that was later withdrawn is left out: the clip's text is no longer public, and
the before-and-after would show it again.
"""

from dataclasses import dataclass

from clipdesk.archive.models import Clip

from .models import Revision, RevisionEdit

# How the corrections page and feeds name a field of a line or of the clip.
FIELD_NAMES = {
    "english_text": "English",
    "original_text": "original",
    "note": "translator's note",
    "speaker_id": "speaker",
    "start_ms": "start time",
    "end_ms": "end time",
    "original_language": "language",
    "title": "title",
    "summary": "summary",
}


def published_corrections():
    return (
        Revision.objects.published()
        .filter(clip__status=Clip.Status.PUBLISHED)
        .select_related("clip", "clip__channel")
        .prefetch_related("edits__segment")
        .order_by("-published_at", "-pk")
    )


@dataclass(frozen=True, slots=True)
class Change:
    where: str
    field: str
    before: str
    after: str


def changes(revision: Revision) -> list[Change]:
    """What a correction changed, in reading order (the edits prefetched by `published_corrections`)."""
    edits: list[RevisionEdit] = sorted(
        revision.edits.all(), key=lambda e: (e.segment.position if e.segment_id else -1, e.field)
    )
    return [
        Change(
            where=f"line {edit.segment.position + 1}" if edit.segment_id else "clip",
            field=FIELD_NAMES.get(edit.field, edit.field.replace("_", " ")),
            before=edit.before,
            after=edit.after,
        )
        for edit in edits
    ]
