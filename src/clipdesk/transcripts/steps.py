"""The undo stack: recording each person's changes to a clip's lines as EditSteps.

Only the actions write here (inside their transaction); undo and redo themselves live in actions.py,
so that they run through the same permission checks, versions and history as the change they undo.
"""

from datetime import timedelta

from django.utils import timezone

from .models import EditStep, Segment

# What a line is, for restoring it exactly after a split or a merge.
SNAPSHOT = (
    "english_text",
    "original_text",
    "english_origin",
    "original_origin",
    "note",
    "original_language",
    "speaker_id",
    "start_ms",
    "end_ms",
    "words",
    "uncertain",
    "uncertain_reason",
    "split_check",
    "language_probability",
    "avg_logprob",
    "no_speech_prob",
    "compression_ratio",
)
# Typing in one field of one line is one step while the pauses stay shorter than this.
COALESCE = timedelta(seconds=60)


def snapshot(segment: Segment) -> dict:
    return {name: getattr(segment, name) for name in SNAPSHOT}


def record(clip_id: int, user, kind: str, label: str, data: dict) -> EditStep | None:
    """A new step; the steps this person had undone on this clip can no longer be redone."""
    if user is None or not getattr(user, "pk", None):
        return None  # changes by the system (imports, the pipeline) are nobody's to undo
    EditStep.objects.filter(clip_id=clip_id, user=user, undone=True).delete()
    return EditStep.objects.create(clip_id=clip_id, user=user, kind=kind, label=label, data=data)


def record_edit(segment: Segment, user, based_on: int, before: dict, after: dict) -> None:
    """An autosave: joined to the person's last step when it continues the same typing."""
    if user is None or not getattr(user, "pk", None):
        return
    last = EditStep.objects.filter(clip_id=segment.clip_id, user=user).first()
    if (
        last is not None
        and not last.undone
        and last.kind == EditStep.Kind.EDIT
        and last.data["segment"] == segment.pk
        and set(last.data["after"]) == set(after)
        and last.data["version"] == based_on
        and timezone.now() - last.updated_at < COALESCE
    ):
        last.data["after"] = after
        last.data["version"] = segment.version
        last.save(update_fields=["data", "updated_at"])
        return
    fields = ", ".join(name.replace("_id", "").replace("_", " ") for name in after)
    record(
        segment.clip_id,
        user,
        EditStep.Kind.EDIT,
        f"edit of line {segment.position + 1} ({fields})",
        {"segment": segment.pk, "before": before, "after": after, "version": segment.version},
    )


def next_undo(clip_id: int, user) -> EditStep | None:
    return EditStep.objects.filter(clip_id=clip_id, user=user, undone=False).first()


def next_redo(clip_id: int, user) -> EditStep | None:
    return EditStep.objects.filter(clip_id=clip_id, user=user, undone=True).order_by("id").first()
