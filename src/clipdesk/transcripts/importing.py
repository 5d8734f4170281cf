"""Named actions on transcripts. See clipdesk.archive.actions for the conventions."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from clipdesk.archive import actions as archive_actions
from clipdesk.archive import signals
from clipdesk.archive.models import Clip, ClipReference, Person

from .models import Origin, Segment, Speaker
from .pagetext import ParsedPage, Warning, parse_page


class ImportRefused(Exception):
    """The page was understood, but importing it would overwrite work that was not imported."""

    def __init__(self, source: str, line: int, reason: str):
        super().__init__(f"{source}:{line}: {reason}")
        self.source, self.line, self.reason = source, line, reason


@dataclass
class ImportResult:
    clip: Clip
    created: bool
    warnings: list[Warning] = field(default_factory=list)
    changed_lines: int = 0


def import_page(text: str, *, source: str, user=None) -> ImportResult:
    """Turn the text of a published clip page into a clip, in one transaction.

    A page with a number becomes a published clip keeping that number; a page without one becomes
    a draft. Importing a number again updates the clip only if it was itself imported, line by line,
    so the history shows exactly what changed.
    """
    page = parse_page(text, source)
    archive_actions.require(user, "archive.add_clip")
    with transaction.atomic():
        existing = Clip.objects.filter(number=page.number).first() if page.number else None
        if existing and existing.origin != Clip.Origin.IMPORTED:
            raise ImportRefused(
                source,
                1,
                f"clip #{page.number} is already in the archive and was not imported; refusing to overwrite it",
            )
        channel = _channel(page, user)
        fields = {
            "summary": page.summary,
            "aired_on": page.aired_on,
            "duration_ms": page.duration_ms,
            "channel": channel,
            "page_date": page.page_date,
        }
        if existing:
            clip = archive_actions.update_clip(existing, user=user, title=page.title, **fields)
        else:
            clip = archive_actions.create_clip(
                user=user, title=page.title, origin=Clip.Origin.IMPORTED, **fields
            )
        speakers = _speakers(clip, page, user)
        changed = _segments(clip, page, speakers, channel.language if channel else "", user)
        _references(clip, page, user)
        people = {s.person for s in speakers if s.person} | {
            r.person for r in clip.references.all() if r.person
        }
        clip.people.add(*people)
        if not existing and page.number:
            published_at = (
                timezone.make_aware(dt.datetime.combine(page.page_date or page.aired_on, dt.time(12)))
                if (page.page_date or page.aired_on)
                else None
            )
            clip = archive_actions.publish_clip(
                clip, user=user, number=page.number, published_at=published_at
            )
        if existing and clip.status == Clip.Status.PUBLISHED:
            clip_id = clip.pk
            signals.send_on_commit(signals.clip_changed, clip_id)
    return ImportResult(clip=clip, created=existing is None, warnings=page.warnings, changed_lines=changed)


def _channel(page: ParsedPage, user):
    if not page.channel:
        return None
    channel = archive_actions.get_or_create_channel(user=user, name=page.channel)
    changed = False
    if page.country and not channel.country:
        channel.country, changed = page.country, True
    if page.affiliation and not channel.affiliation:
        channel.affiliation, changed = page.affiliation, True
    if changed:
        channel._history_user = user
        channel.save()
    return channel


def _speakers(clip: Clip, page: ParsedPage, user) -> list[Speaker]:
    existing = {s.label: s for s in clip.speakers.all()}
    result = []
    for position, parsed in enumerate(page.speakers):
        speaker = existing.pop(parsed.label, None) or Speaker(clip=clip, label=parsed.label)
        speaker.position = position
        speaker.role = parsed.role
        if parsed.is_person and speaker.person is None:
            speaker.person = archive_actions.get_or_create_person(
                user=user, name=parsed.label, aliases=parsed.spellings
            )
        elif parsed.is_person:
            archive_actions.get_or_create_person(
                user=user, name=speaker.person.name, aliases=parsed.spellings
            )
        speaker._history_user = user
        speaker.save()
        result.append(speaker)
    for stale in existing.values():
        stale._history_user = user
        stale.delete()
    return result


def _segments(clip: Clip, page: ParsedPage, speakers: list[Speaker], language: str, user) -> int:
    """Write the page's lines over the clip's segments, position by position. Returns how many changed."""
    current = list(clip.segments.order_by("position", "id"))
    changed = 0
    for position, line in enumerate(page.lines):
        speaker = speakers[line.speaker] if line.speaker is not None else None
        segment = current[position] if position < len(current) else Segment(clip=clip, position=position)
        if (
            segment.pk
            and segment.english_text == line.text
            and segment.speaker_id == (speaker.pk if speaker else None)
        ):
            continue
        segment.english_text = line.text
        segment.english_origin = Origin.HUMAN
        segment.speaker = speaker
        segment.original_language = segment.original_language or language
        if segment.pk:
            segment.version += 1
        segment._history_user = user
        segment.save()
        changed += 1
    for stale in current[len(page.lines) :]:
        stale._history_user = user
        stale.delete()
        changed += 1
    return changed


def _references(clip: Clip, page: ParsedPage, user) -> None:
    clip.references.all().delete()
    for ref in page.references:
        person = None
        if ref.person:
            person = Person.objects.matching(ref.person).first() or archive_actions.get_or_create_person(
                user=user, name=ref.person
            )
        ClipReference.objects.create(
            clip=clip, number=ref.number, publisher=ref.publisher, text=ref.text, person=person
        )
