"""Named actions on transcripts: editing lines and speakers, and corrections to published clips.

Conventions as in clipdesk.archive.actions: check the permission, change the data in one
transaction with the history entry attributed to its author, send follow-up signals after commit.

Every accepted save of a line raises its `version`. A save names the version it was based on; if the
line moved on since, the save is refused with `EditConflict`, which carries both versions, so nobody's
work is silently overwritten. On a published clip, edits do not change what readers see: they are
held in the clip's pending `Revision` until a publisher publishes it as a correction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clipdesk.archive import signals
from clipdesk.archive.actions import require
from clipdesk.archive.models import Clip, Person
from clipdesk.pipeline.languages import bcp47

from . import findreplace, splitting, steps
from .models import EditStep, Origin, Revision, RevisionEdit, Segment, Speaker

TEXT_FIELDS = ("english_text", "original_text")
EDITABLE_FIELDS = (*TEXT_FIELDS, "note", "original_language", "speaker_id", "start_ms", "end_ms")
STRUCTURE_LOCKED = (
    "Splitting and merging lines is for clips that are not published; correct the text instead."
)
CHECK_LOCKED = "This clip is published: correct the line's text instead, through a correction."
SPEAKER_LOCKED = (
    "{speaker} speaks published lines of {clip}: renaming it would change them without a correction. "
    "Add a speaker with the right name and give it the lines; the change waits for a correction."
)


class EditConflict(Exception):
    """The line changed since the editor loaded it. `current` is what is saved now, `attempted` what was sent."""

    def __init__(self, segment: Segment, attempted: dict):
        super().__init__(
            f"Line {segment.position + 1} was changed by someone else (now version {segment.version}). "
            "Your text was not saved; compare the two versions and save again."
        )
        self.segment = segment
        self.attempted = attempted


def _save(instance, user, **kwargs) -> None:
    instance._history_user = user
    instance.save(**kwargs)


def _locked_segment(segment_id: int) -> Segment:
    return Segment.objects.select_for_update().select_related("clip").get(pk=segment_id)


def _check_version(segment: Segment, version: int, attempted: dict) -> None:
    if segment.version != version:
        raise EditConflict(segment, attempted)


def _clean(segment: Segment, fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    cleaned = dict(fields)
    for name in ("start_ms", "end_ms"):
        if name in cleaned and cleaned[name] is not None:
            cleaned[name] = int(cleaned[name])
            if cleaned[name] < 0:
                raise ValidationError("Times cannot be negative.")
    start = cleaned.get("start_ms", segment.start_ms)
    end = cleaned.get("end_ms", segment.end_ms)
    if start is not None and end is not None and end < start:
        raise ValidationError(f"Line {segment.position + 1} would end before it starts.")
    speaker_id = cleaned.get("speaker_id")
    if speaker_id is not None and not Speaker.objects.filter(pk=speaker_id, clip_id=segment.clip_id).exists():
        raise ValidationError("That speaker is not in this clip.")
    return cleaned


def pending_revision(clip: Clip, user) -> Revision:
    revision = Revision.objects.filter(clip=clip, status=Revision.Status.PENDING).first()
    if revision is None:
        revision = Revision(clip=clip, created_by=user)
        _save(revision, user)
    return revision


def _propose(clip: Clip, segment: Segment | None, field: str, current, value, user) -> None:
    """Hold a change to a published clip in its pending revision."""
    revision = pending_revision(clip, user)
    edit = RevisionEdit.objects.filter(revision=revision, segment=segment, field=field).first()
    after = "" if value is None else str(value)
    if edit is None:
        before = "" if current is None else str(current)
        if before != after:
            RevisionEdit.objects.create(
                revision=revision, segment=segment, field=field, before=before, after=after
            )
    elif edit.before == after:
        edit.delete()  # changed back to what readers see: nothing to correct
    else:
        edit.after = after
        edit.save(update_fields=["after"])


def edit_segment(
    segment_id: int, *, user, version: int, _record: bool = True, _origins: dict | None = None, **fields
) -> Segment:
    """Change a line's texts, translator's note, speaker, language or times.

    Returns the line as saved. On a published clip the line itself keeps what readers see and the
    change goes to the pending revision; `pending_value(segment, field)` reads it back. The change is
    the author's to undo (see undo); an undo passes the texts' `_origins` back with the texts.
    """
    require(user, "transcripts.change_segment")
    with transaction.atomic():
        segment = _locked_segment(segment_id)
        _check_version(segment, version, fields)
        cleaned = _clean(segment, fields)
        clip = segment.clip
        before = _before(segment, cleaned)
        if clip.status == Clip.Status.PUBLISHED:
            require(user, "archive.change_clip")
            for name, value in cleaned.items():
                _propose(clip, segment, name, getattr(segment, name), value, user)
        elif clip.status == Clip.Status.WITHDRAWN:
            raise ValidationError(f"Clip {clip.reference} is withdrawn; its transcript is closed.")
        else:
            for name, value in cleaned.items():
                if name in TEXT_FIELDS and getattr(segment, name) != value:
                    origin = name.replace("_text", "_origin")
                    setattr(segment, origin, (_origins or {}).get(origin, Origin.HUMAN))
                setattr(segment, name, value)
        segment.version += 1
        _save(segment, user)
        if _record:
            after = {**cleaned, **{k: getattr(segment, k) for k in before if k.endswith("_origin")}}
            steps.record_edit(segment, user, version, before, after)
    return segment


INT_FIELDS = ("start_ms", "end_ms", "speaker_id")


def _before(segment: Segment, cleaned: dict) -> dict:
    """What the fields about to change hold now (the pending values on a published clip), with the
    texts' origins, so that an undo restores both."""
    published = segment.clip.status == Clip.Status.PUBLISHED
    before = {}
    for name in cleaned:
        value = pending_value(segment, name) if published else getattr(segment, name)
        if published and name in INT_FIELDS and isinstance(value, str):
            value = int(value) if value else None
        before[name] = value
        if name in TEXT_FIELDS and not published:
            origin = name.replace("_text", "_origin")
            before[origin] = getattr(segment, origin)
    return before


def mark_checked(segment_id: int, *, user, version: int) -> Segment:
    """A person has checked a machine line and found it right: its texts become the person's, so the
    machine's doubts no longer ask for it (see review.py). For drafts and clips in review; on a
    published clip, what readers see changes through a correction of the text."""
    require(user, "transcripts.change_segment")
    with transaction.atomic():
        segment = _locked_segment(segment_id)
        _require_draft(segment.clip, CHECK_LOCKED)
        _check_version(segment, version, {"checked": True})
        for name in ("original_origin", "english_origin"):
            if getattr(segment, name) == Origin.MACHINE and getattr(
                segment, name.replace("_origin", "_text")
            ):
                setattr(segment, name, Origin.HUMAN)
        segment.split_check = ""
        segment.version += 1
        _save(segment, user)
    return segment


def pending_value(segment: Segment, field: str):
    edit = RevisionEdit.objects.filter(
        segment=segment, field=field, revision__status=Revision.Status.PENDING
    ).first()
    return edit.after if edit else getattr(segment, field)


def _require_draft(clip: Clip, message: str = STRUCTURE_LOCKED) -> None:
    if clip.status not in (Clip.Status.DRAFT, Clip.Status.REVIEW):
        raise ValidationError(message)


def split_segment(
    segment_id: int, *, user, version: int, at: int | None = None, original_at: int | None = None
) -> Segment:
    """Split a line at the word boundary nearest the cursor: `original_at` in its original text, or
    `at` in its English. The time and the other text follow (see splitting.py); what a proportion
    decided is marked for checking. Returns the new second line."""
    require(user, "transcripts.add_segment")
    with transaction.atomic():
        segment = _locked_segment(segment_id)
        _require_draft(segment.clip)
        _check_version(segment, version, {"split_at": original_at if at is None else at})
        before = steps.snapshot(segment)
        plan = splitting.plan_split(segment, at=at, original_at=original_at)
        check = "; ".join(plan.checks)
        first_fields = {**plan.first, "split_check": check}
        second_fields = {**before, **plan.second, "split_check": check, "note": ""}
        second = _divide(segment, first_fields, second_fields, user=user)
        steps.record(
            segment.clip_id,
            user,
            EditStep.Kind.SPLIT,
            f"split of line {segment.position + 1}",
            {
                "first": segment.pk,
                "second": second.pk,
                "before": before,
                "after": [steps.snapshot(segment), steps.snapshot(second)],
            },
        )
    return second


def _divide(segment: Segment, first_fields: dict, second_fields: dict, *, user, second_pk=None) -> Segment:
    """Make `segment` two lines: it takes `first_fields`, a new line after it `second_fields` (with the
    id `second_pk` when a redo or an undo brings back a line that had it)."""
    Segment.objects.filter(clip=segment.clip, position__gt=segment.position).update(
        position=F("position") + 1
    )
    second = Segment(pk=second_pk, clip=segment.clip, position=segment.position + 1, **second_fields)
    for name, value in first_fields.items():
        setattr(segment, name, value)
    segment.version += 1
    _save(segment, user)
    _save(second, user)
    return second


def _join(segment: Segment, following: Segment, fields: dict, *, user) -> Segment:
    """Make `segment` and the line after it one line with `fields`."""
    for name, value in fields.items():
        setattr(segment, name, value)
    segment.version += 1
    _save(segment, user)
    following._history_user = user
    following.delete()
    Segment.objects.filter(clip=segment.clip, position__gt=segment.position).update(
        position=F("position") - 1
    )
    return segment


def _following(segment: Segment) -> Segment | None:
    return (
        Segment.objects.select_for_update()
        .filter(clip=segment.clip, position__gt=segment.position)
        .order_by("position")
        .first()
    )


def merge_with_next(segment_id: int, *, user, version: int) -> Segment:
    """Join a line and the one after it into one; the line keeps its speaker and start."""
    require(user, "transcripts.delete_segment")
    with transaction.atomic():
        segment = _locked_segment(segment_id)
        _require_draft(segment.clip)
        _check_version(segment, version, {"merge": True})
        following = _following(segment)
        if following is None:
            raise ValidationError("This is the last line; there is nothing to merge it with.")
        before = [steps.snapshot(segment), steps.snapshot(following)]
        _join(segment, following, splitting.merged_fields(segment, following), user=user)
        steps.record(
            segment.clip_id,
            user,
            EditStep.Kind.MERGE,
            f"merge of lines {segment.position + 1} and {segment.position + 2}",
            {
                "first": segment.pk,
                "second": following.pk,
                "before": before,
                "after": steps.snapshot(segment),
            },
        )
    return segment


def replace_in_lines(
    clip: Clip,
    *,
    user,
    language: str,
    find: str,
    replace: str,
    versions: dict[int, int],
    match_case: bool = False,
    whole_words: bool = False,
) -> list[Segment]:
    """Replace `find` by `replace` in the chosen lines' `language` text, as the preview showed it.

    `versions` holds the lines a person chose from the preview (id -> version seen). Each changed line
    is saved through edit_segment: a line changed since the preview is refused as an edit conflict and
    nothing is saved; each line saved is one step to undo; on a published clip the changes wait in the
    pending revision. Returns the lines saved."""
    require(user, "transcripts.change_segment")
    field = findreplace.field_for(language)
    findreplace.pattern(find, match_case=match_case, whole_words=whole_words)  # refuse before locking
    with transaction.atomic():
        chosen = list(
            Segment.objects.select_for_update().filter(clip=clip, pk__in=list(versions)).order_by("position")
        )
        for segment in chosen:
            _check_version(segment, versions[segment.pk], {"replace": find})
        changes = findreplace.find_changes(
            clip,
            language=language,
            find=find,
            replace=replace,
            match_case=match_case,
            whole_words=whole_words,
            segments=chosen,
        )
        return [
            edit_segment(c.segment.pk, user=user, version=c.segment.version, **{field: c.after})
            for c in changes
        ]


# -- undo and redo -------------------------------------------------------------------------------------


def undo(clip: Clip, *, user) -> EditStep:
    """Undo this person's newest change to the clip's lines that is not undone."""
    return _replay(clip, user, steps.next_undo, undoing=True)


def redo(clip: Clip, *, user) -> EditStep:
    """Redo the change this person undid last on this clip."""
    return _replay(clip, user, steps.next_redo, undoing=False)


def _replay(clip: Clip, user, pick, *, undoing: bool) -> EditStep:
    require(user, "transcripts.change_segment")
    with transaction.atomic():
        step = pick(clip.pk, user)
        if step is not None:
            step = EditStep.objects.select_for_update().get(pk=step.pk)
        if step is None or step.undone != (not undoing):
            raise ValidationError(f"There is nothing to {'undo' if undoing else 'redo'}.")
        replay = {
            EditStep.Kind.EDIT: _replay_edit,
            EditStep.Kind.SPLIT: _replay_split,
            EditStep.Kind.MERGE: _replay_merge,
            EditStep.Kind.SPEAKER: _replay_speaker,
        }[step.kind]
        replay(step.data, user, undoing=undoing, label=step.label)
        step.undone = undoing
        step.save(update_fields=["data", "undone", "updated_at"])
    return step


def _step_segment(pk: int, expected: dict, label: str) -> Segment:
    """The line a step changed, locked; refused as an edit conflict when it no longer holds what the
    step left in it (someone changed it since)."""
    try:
        segment = _locked_segment(pk)
    except Segment.DoesNotExist:
        raise ValidationError(f"The line of this {label} no longer exists; it cannot be replayed.") from None
    current = {name: getattr(segment, name) for name in expected}
    if segment.clip.status == Clip.Status.PUBLISHED:  # what the pending revision holds
        current |= _before(segment, [name for name in expected if name in EDITABLE_FIELDS])
    if current != expected:
        raise EditConflict(segment, {"undo": label})
    return segment


def _replay_edit(data: dict, user, *, undoing: bool, label: str) -> None:
    values, now = (data["before"], data["after"]) if undoing else (data["after"], data["before"])
    segment = _step_segment(data["segment"], now, label)
    fields = {name: value for name, value in values.items() if name in EDITABLE_FIELDS}
    edit_segment(segment.pk, user=user, version=segment.version, _record=False, _origins=values, **fields)


def _replay_split(data: dict, user, *, undoing: bool, label: str) -> None:
    require(user, "transcripts.delete_segment" if undoing else "transcripts.add_segment")
    if undoing:
        first = _step_segment(data["first"], data["after"][0], label)
        _require_draft(first.clip)
        second = _step_segment(data["second"], data["after"][1], label)
        _join(first, second, data["before"], user=user)
    else:
        first = _step_segment(data["first"], data["before"], label)
        _require_draft(first.clip)
        _divide(first, data["after"][0], data["after"][1], user=user, second_pk=data["second"])


def _replay_merge(data: dict, user, *, undoing: bool, label: str) -> None:
    require(user, "transcripts.add_segment" if undoing else "transcripts.delete_segment")
    if undoing:
        first = _step_segment(data["first"], data["after"], label)
        _require_draft(first.clip)
        _divide(first, data["before"][0], data["before"][1], user=user, second_pk=data["second"])
    else:
        first = _step_segment(data["first"], data["before"][0], label)
        _require_draft(first.clip)
        second = _step_segment(data["second"], data["before"][1], label)
        _join(first, second, data["after"], user=user)


def _replay_speaker(data: dict, user, *, undoing: bool, label: str) -> None:
    want, now = (data["before"], data["after"]) if undoing else (data["after"], data["before"])
    speaker = Speaker.objects.select_for_update().get(pk=data["speaker"])
    if _speaker_state(speaker) != now:
        raise ValidationError(
            f"Speaker {speaker.label} was changed by someone else since; it was left as it is now."
        )
    rename_speaker(
        speaker.pk,
        user=user,
        label=want["label"],
        person=Person.objects.filter(pk=want["person_id"]).first() if want["person_id"] else None,
        clear_person=not want["person_id"],
        role=want["role"],
        _record=False,
    )


def _speaker_state(speaker: Speaker) -> dict:
    return {"label": speaker.label, "person_id": speaker.person_id, "role": speaker.role}


def rename_speaker(
    speaker_id: int,
    *,
    user,
    label: str | None = None,
    person: Person | None = None,
    role: str | None = None,
    clear_person: bool = False,
    _record: bool = True,
) -> Speaker:
    """Rename a voice, or say who it is, for every line of its clip at once. Changes this one row.

    A voice on the lines of a published (or withdrawn) clip is what readers see beside those lines, so
    it is not renamed in place; its lines move to another speaker through a correction instead.
    """
    require(user, "transcripts.change_speaker")
    with transaction.atomic():
        speaker = Speaker.objects.select_for_update().select_related("clip").get(pk=speaker_id)
        if (
            speaker.clip.status in (Clip.Status.PUBLISHED, Clip.Status.WITHDRAWN)
            and speaker.segments.exists()
        ):
            raise ValidationError(SPEAKER_LOCKED.format(speaker=speaker.label, clip=speaker.clip.reference))
        before = _speaker_state(speaker)
        if label is not None:
            if not label.strip():
                raise ValidationError("A speaker needs a name or a label.")
            speaker.label = label.strip()
        if person is not None or clear_person:
            speaker.person = person
        if role is not None:
            if role not in Speaker.Role.values:
                raise ValidationError(f"Unknown role {role!r}.")
            speaker.role = role
        _save(speaker, user)
        if _record and _speaker_state(speaker) != before:
            steps.record(
                speaker.clip_id,
                user,
                EditStep.Kind.SPEAKER,
                f"change of speaker {before['label']}",
                {"speaker": speaker.pk, "before": before, "after": _speaker_state(speaker)},
            )
        if speaker.person and speaker.clip.status == Clip.Status.PUBLISHED:
            speaker.clip.people.add(speaker.person)
    return speaker


def add_speaker(clip: Clip, *, user, label: str) -> Speaker:
    require(user, "transcripts.add_speaker")
    if not label.strip():
        raise ValidationError("A speaker needs a name or a label.")
    with transaction.atomic():
        speaker = Speaker(clip=clip, label=label.strip(), position=clip.speakers.count())
        _save(speaker, user)
    return speaker


def propose_clip_text(clip: Clip, *, user, **fields) -> Revision:
    """Title or summary changes to a published clip, held for the next correction."""
    require(user, "archive.change_clip")
    with transaction.atomic():
        clip = Clip.objects.select_for_update().get(pk=clip.pk)
        for name, value in fields.items():
            if name not in ("title", "summary"):
                raise ValidationError(f"{name} is not corrected through a revision.")
            _propose(clip, None, name, getattr(clip, name), value, user)
        return pending_revision(clip, user)


def propose_published_text(sender, *, clip: Clip, user, signal=None, **texts) -> Revision:
    """Receiver of archive's published_text_proposed (archive.actions.update_clip on a published clip)."""
    return propose_clip_text(clip, user=user, **texts)


def publish_correction(revision: Revision, *, user, note: str) -> Revision:
    """Apply a pending revision to the published clip and show it in the clip's Corrections."""
    require(user, "archive.publish_correction")
    note = note.strip()
    if not note:
        raise ValidationError("A correction needs a public note that says what was corrected and why.")
    with transaction.atomic():
        revision = Revision.objects.select_for_update().select_related("clip").get(pk=revision.pk)
        if revision.status != Revision.Status.PENDING:
            raise ValidationError("This revision is not pending.")
        edits = list(revision.edits.select_related("segment"))
        if not edits:
            raise ValidationError("This revision changes nothing.")
        clip = Clip.objects.select_for_update().get(pk=revision.clip_id)
        touched: dict[int, Segment] = {}
        for edit in edits:
            target = (
                touched.setdefault(edit.segment_id, _locked_segment(edit.segment_id))
                if edit.segment_id
                else clip
            )
            value = edit.after
            if edit.field in ("start_ms", "end_ms", "speaker_id"):
                value = int(value) if value != "" else None
            setattr(target, edit.field, value)
            if edit.field in TEXT_FIELDS:
                setattr(target, edit.field.replace("_text", "_origin"), Origin.HUMAN)
        for segment in touched.values():
            segment.version += 1
            _save(segment, user)
        if any(e.segment_id is None for e in edits):
            from clipdesk.archive.models import make_slug

            clip.slug = make_slug(clip.title)
            _save(clip, user)
        revision.status = Revision.Status.PUBLISHED
        revision.note = note
        revision.published_by = user
        revision.published_at = timezone.now()
        _save(revision, user)
        signals.send_on_commit(signals.clip_changed, clip.pk)
    return revision


def discard_revision(revision: Revision, *, user) -> Revision:
    require(user, "archive.publish_correction")
    with transaction.atomic():
        revision = Revision.objects.select_for_update().get(pk=revision.pk)
        if revision.status != Revision.Status.PENDING:
            raise ValidationError("This revision is not pending.")
        revision.status = Revision.Status.DISCARDED
        _save(revision, user)
    return revision


# -- machine transcripts -------------------------------------------------------------------------------


def machine_draft_reason(job_id: int) -> str:
    """The history's change reason of the lines an ingest job stores: how `quality` finds a clip's
    machine draft again."""
    return f"ingest job {job_id}"


def store_machine_transcript(
    clip: Clip, lines, *, user=None, speakers: bool = True, language: str = "", reason: str = ""
) -> list[Segment]:
    """Stores the speech pipeline's lines (``clipdesk.pipeline`` Segments) as a clip's machine draft.

    Voices are numbered by first appearance ("unidentified voice 1", "2"...), one "unidentified voice"
    when there is one; ``speakers=False`` attributes no line. Each line keeps its own language (a
    recording can switch languages; ``language``, a Whisper code, for a line without one), its English
    where the machine made one (an empty English line is left for a translator, so it is a human's
    to write) and what the pipeline knew of it (:func:`machine_fields`). One transaction; the history
    records ``reason``.
    """
    require(user, "transcripts.add_segment")
    with transaction.atomic():
        voices = list(dict.fromkeys(line.speaker for line in lines if line.speaker is not None))
        by_voice: dict[int | None, Speaker] = {}
        if not speakers:
            pass  # asked for no attribution
        elif len(voices) > 1:
            for position, voice in enumerate(voices):
                by_voice[voice] = _new_speaker(clip, f"unidentified voice {position + 1}", position, user)
        elif lines:
            only = _new_speaker(clip, "unidentified voice", 0, user)
            by_voice = {voice: only for voice in (*voices, None)}
        rows = []
        for position, line in enumerate(lines):
            english = (line.translation or "").strip()
            rows.append(
                Segment(
                    clip=clip,
                    position=position,
                    start_ms=max(0, line.start_ms),
                    end_ms=max(line.start_ms, line.end_ms, 0),
                    speaker=by_voice.get(line.speaker),
                    original_text=line.text.strip(),
                    original_language=bcp47(line.language or language),
                    original_origin=Origin.MACHINE,
                    english_text=english,
                    english_origin=Origin.MACHINE if english else Origin.HUMAN,
                    **machine_fields(line),
                )
            )
        return bulk_create_with_history(
            rows, Segment, batch_size=500, default_user=user, default_change_reason=reason or None
        )


def machine_fields(line) -> dict:
    """What the pipeline knew of a line, as Segment columns: its words (compact lists), the
    decoder's scores, the language's probability, and whether (and why) it is uncertain."""
    return {
        "words": [[w.start_ms, w.end_ms, w.text, round(w.probability, 3)] for w in line.words] or None,
        "language_probability": round(line.language_probability, 4),
        "avg_logprob": round(line.avg_logprob, 4),
        "no_speech_prob": round(line.no_speech_prob, 4),
        "compression_ratio": round(line.compression_ratio, 4),
        "uncertain": bool(line.uncertain),
        "uncertain_reason": ", ".join(line.uncertain)[:200],
    }


def _new_speaker(clip: Clip, label: str, position: int, user) -> Speaker:
    speaker = Speaker(clip=clip, label=label, position=position)
    _save(speaker, user)
    return speaker
