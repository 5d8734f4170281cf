"""Import an SRT or WebVTT file into a clip's transcript, in one language.

Each cue goes to the existing line it overlaps most in time; a cue that overlaps none becomes a new
line with the other language empty. An untimed clip is matched by order, and only when the counts
are equal. Malformed cues are skipped as the WebVTT spec says and reported as warnings; a cue that
ends before it starts is read (the spec keeps it) but refused here, since no line may do that.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from clipdesk.archive.actions import require
from clipdesk.archive.models import Clip

from .autosave import MAX_POSITIVE
from .models import Origin, Segment, Speaker
from .subtitles import Cue, _vtt_timestamp, read_subtitles


class SubtitleImportError(ValidationError):
    """The file was read but cannot be matched to this clip; the message says why."""


@dataclass
class SubtitleImportResult:
    matched: int = 0
    added: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"{self.matched} lines updated, {self.added} lines added, {len(self.warnings)} warnings."


def _overlap(segment: Segment, cue: Cue) -> int:
    return min(segment.end_ms, cue.end_ms) - max(segment.start_ms, cue.start_ms)


def import_subtitles(
    clip: Clip, data: bytes | str, *, user, language: str, filename: str | None = None
) -> SubtitleImportResult:
    require(user, "transcripts.change_segment")
    require(user, "transcripts.add_segment")
    read = read_subtitles(data, filename)  # SubtitleError: not SRT or WebVTT at all
    result = SubtitleImportResult(warnings=list(read.warnings))
    if not read.cues:
        raise SubtitleImportError(f"{filename or 'The file'} holds no cues.")
    _check_timings(read.cues, filename)
    language = language.strip()
    target = "english_text" if language == "en" else "original_text"
    with transaction.atomic():
        clip = Clip.objects.select_for_update().get(pk=clip.pk)
        if clip.status not in (Clip.Status.DRAFT, Clip.Status.REVIEW):
            raise SubtitleImportError(
                f"Clip {clip.reference} is {clip.get_status_display().lower()}; subtitles are imported into drafts. "
                "Correct a published clip line by line."
            )
        segments = list(clip.segments.order_by("position"))
        timed = [s for s in segments if s.is_timed]
        if segments and not timed:
            if len(segments) != len(read.cues):
                raise SubtitleImportError(
                    f"Clip {clip.reference} has {len(segments)} untimed lines and the file has {len(read.cues)} cues; "
                    "an untimed clip is matched by order only when the counts are equal."
                )
            for segment, cue in zip(segments, read.cues, strict=True):
                segment.start_ms, segment.end_ms = cue.start_ms, cue.end_ms
                _set_text(segment, target, cue.text, language, user)
                result.matched += 1
            return result
        updates: dict[int, list[str]] = {}
        new_cues: list[Cue] = []
        for cue in read.cues:
            best = max(timed, key=lambda s: _overlap(s, cue), default=None)
            if best is not None and _overlap(best, cue) > 0:
                updates.setdefault(best.pk, []).append(cue.text)
            else:
                new_cues.append(cue)
        for segment in timed:
            if segment.pk in updates:
                _set_text(segment, target, " ".join(updates[segment.pk]), language, user)
                result.matched += 1
        for cue in new_cues:
            _insert(clip, cue, target, language, user)
            result.added += 1
    return result


def _check_timings(cues: list[Cue], filename: str | None) -> None:
    for number, cue in enumerate(cues, start=1):
        problem = (
            "ends before it starts"
            if cue.end_ms < cue.start_ms
            else f"ends after {_vtt_timestamp(MAX_POSITIVE)}, the latest time a line can have"
            if cue.end_ms > MAX_POSITIVE
            else None
        )
        if problem:
            timings = f"{_vtt_timestamp(cue.start_ms)} --> {_vtt_timestamp(cue.end_ms)}"
            raise SubtitleImportError(
                f"{filename or 'The file'}: cue {number} ({timings}) {problem}; correct its timings and try again."
            )


def _set_text(segment: Segment, target: str, text: str, language: str, user) -> None:
    setattr(segment, target, text)
    setattr(segment, target.replace("_text", "_origin"), Origin.HUMAN)
    if target == "original_text":
        segment.original_language = language
    segment.version += 1
    segment._history_user = user
    segment.save()


def _insert(clip: Clip, cue: Cue, target: str, language: str, user) -> None:
    before = clip.segments.filter(start_ms__lte=cue.start_ms).order_by("-position").first()
    position = before.position + 1 if before else 0
    clip.segments.filter(position__gte=position).update(position=F("position") + 1)
    speaker = None
    if cue.speaker:
        speaker = clip.speakers.filter(label=cue.speaker).first()
        if speaker is None:
            speaker = Speaker(clip=clip, label=cue.speaker, position=clip.speakers.count())
            speaker._history_user = user
            speaker.save()
    segment = Segment(clip=clip, position=position, start_ms=cue.start_ms, end_ms=cue.end_ms, speaker=speaker)
    _set_text(segment, target, cue.text, language, user)
