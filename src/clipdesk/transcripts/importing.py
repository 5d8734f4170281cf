"""Named actions on transcripts: importing a published clip page. See clipdesk.archive.actions for
the conventions.

A page is found again on the next import by its key: its printed number, else its address, else a
hash of its text (then an edited copy imports as a new clip, and the warning says so). Every page
with a headline and some text is imported; what the parser could not place is kept and flagged for
an editor on the page's `PageImport` record (the worklist's "needs review").
"""

import datetime as dt
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clipdesk.archive import actions as archive_actions
from clipdesk.archive import signals
from clipdesk.archive.models import Channel, Clip, ClipReference, Person

from .models import Origin, PageImport, Segment, Speaker
from .pagetext import ParsedPage, Warning, parse_page

_CHANNEL_WORDS = re.compile(r"\b(tv|television|channel|network|satellite|radio|news|online|the)\b", re.I)


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
    key: str = ""

    @property
    def review(self) -> list[Warning]:
        return [w for w in self.warnings if w.review]


def page_key(page: ParsedPage, address: str | None) -> str:
    """The identity of a page across imports: number, else address, else its text."""
    if page.number:
        return f"number:{page.number}"
    if address:
        return f"url:{address.strip()[:290]}"
    return f"sha256:{page.text_hash}"


class Lookups:
    """Channels and people found or made while importing, kept for the next pages: an archive of
    10,000 pages names the same few hundred channels and people again and again. What a page made
    counts only once its transaction has committed, so a page that failed leaves nothing behind."""

    def __init__(self):
        self.channels: dict[tuple[str, str], Channel] = {}
        self.people: dict[str, tuple[Person, set[str]]] = {}
        self._staged: tuple[dict, dict] | None = None

    @contextmanager
    def page(self):
        self._staged = ({}, {})
        try:
            yield
            self.channels.update(self._staged[0])
            self.people.update(self._staged[1])
        finally:
            self._staged = None

    def channel(self, key: tuple[str, str]) -> Channel | None:
        return (self._staged and self._staged[0].get(key)) or self.channels.get(key)

    def keep_channel(self, key: tuple[str, str], channel: Channel) -> None:
        (self._staged[0] if self._staged else self.channels)[key] = channel

    def person(self, name: str, aliases: list[str], user) -> Person:
        """The person called `name` (created if new), with these spellings as aliases."""
        key = name.strip().casefold()
        found = (self._staged and self._staged[1].get(key)) or self.people.get(key)
        if found and all(a.strip().casefold() in found[1] for a in aliases):
            return found[0]
        person = archive_actions.get_or_create_person(user=user, name=name, aliases=aliases)
        known = (found[1] if found else {key}) | {a.strip().casefold() for a in aliases}
        (self._staged[1] if self._staged else self.people)[key] = (person, known)
        return person


def import_page(text: str, *, source: str, user=None, address: str | None = None) -> ImportResult:
    """Parse the text of a published clip page and import it (see `import_parsed`)."""
    return import_parsed(parse_page(text, source), source=source, user=user, address=address)


def import_parsed(
    page: ParsedPage, *, source: str, user=None, address: str | None = None, lookups: Lookups | None = None
) -> ImportResult:
    """Turn a parsed clip page into a clip, in one transaction.

    A page with a number and a transcript (or a transcript marked pending) becomes a published clip
    keeping that number; any other page becomes a draft. Importing a page again updates the clip only
    if it was itself imported, line by line, so the history shows exactly what changed.
    """
    archive_actions.require(user, "archive.add_clip")
    warnings = list(page.warnings)
    key = page_key(page, address)
    if key.startswith("sha256:"):
        warnings.append(
            Warning(
                1,
                "no number and no address: the page is known by its text, so an edited copy of it will "
                "import as a new clip",
            )
        )
    publishable = bool(page.number) and (page.has_transcript or page.transcript_pending)
    if page.number and not publishable:
        warnings.append(
            Warning(
                1,
                f"imported as a draft (its transcript could not be placed); the page's number is #{page.number}",
                True,
            )
        )
    lookups = lookups or Lookups()
    with lookups.page(), transaction.atomic():
        record = PageImport.objects.select_related("clip").filter(key=key).first()
        existing = record.clip if record else None
        if existing is None and page.number:
            existing = Clip.objects.filter(number=page.number).first()
        if existing and existing.origin != Clip.Origin.IMPORTED:
            raise ImportRefused(
                source,
                1,
                f"clip {existing.reference} is already in the archive and was not imported; refusing to overwrite it",
            )
        channel = _channel(page, user, warnings, lookups)
        fields = {
            "summary": page.summary,
            "aired_on": page.aired_on,
            "aired_until": page.aired_until,
            "duration_ms": page.duration_ms,
            "channel": channel,
            "page_date": page.page_date,
        }
        if existing:
            fields["title"] = page.title
            clip = existing
            if any(getattr(existing, name) != value for name, value in fields.items()):
                clip = archive_actions.update_clip(existing, user=user, **fields)
        else:
            clip = archive_actions.create_clip(
                user=user, title=page.title, origin=Clip.Origin.IMPORTED, **fields
            )
        speakers = _speakers(clip, page, user, warnings, lookups, new=existing is None)
        changed = _segments(clip, page, speakers, channel.language if channel else "", user)
        _references(clip, page, user, lookups)
        people = {s.person for s in speakers if s.person} | {
            lookups.person(r.person, [], user) for r in page.references if r.person
        }
        clip.people.add(*people)
        if publishable and clip.status == Clip.Status.DRAFT and clip.number is None:
            published_at = (
                timezone.make_aware(dt.datetime.combine(page.page_date or page.aired_on, dt.time(12)))
                if (page.page_date or page.aired_on)
                else None
            )
            clip = archive_actions.publish_clip(
                clip, user=user, number=page.number, published_at=published_at
            )
        elif existing and clip.status == Clip.Status.PUBLISHED:
            clip_id = clip.pk
            signals.send_on_commit(signals.clip_changed, clip_id)
        review = [str(w) for w in warnings if w.review]
        record = record or PageImport(key=key)
        record.clip = clip
        record.source, record.address = source[:500], (address or "")[:2000]
        record.content_hash = page.text_hash
        record.warnings, record.review, record.needs_review = [str(w) for w in warnings], review, bool(review)
        record.save()
    return ImportResult(
        clip=clip, created=existing is None, warnings=warnings, changed_lines=changed, key=key
    )


def _channel(page: ParsedPage, user, warnings: list[Warning], lookups: Lookups) -> Channel | None:
    """The channel of that name in that country. A new one is created with a warning, and with a
    request to check when the country has a channel of a similar name (one broadcaster, two names)."""
    if not page.channel:
        return None
    key = (page.channel.casefold(), (page.country or "").casefold())
    channel = lookups.channel(key)
    if channel is not None:
        return channel
    channel = archive_actions.find_channel(page.channel, page.country or "")
    if channel is None:
        stem = _channel_stem(page.channel)
        similar = [
            c
            for c in Channel.objects.filter(country__iexact=page.country or "")
            if stem and _channel_stem(c.name) == stem
        ]
        channel = archive_actions.get_or_create_channel(
            user=user, name=page.channel, country=page.country or "", affiliation=page.affiliation or ""
        )
        where = f" ({page.country})" if page.country else ""
        warnings.append(Warning(1, f"new channel '{page.channel}{where}'"))
        for other in similar:
            warnings.append(
                Warning(
                    1,
                    f"new channel '{page.channel}{where}' may be '{other.name}' under another name: check, "
                    "and merge them if they are one broadcaster",
                    True,
                )
            )
        lookups.keep_channel(key, channel)
        return channel
    changed = False
    if page.country and not channel.country:
        channel.country, changed = page.country, True
    if page.affiliation and not channel.affiliation:
        channel.affiliation, changed = page.affiliation, True
    if changed:
        channel._history_user = user
        channel.save()
    lookups.keep_channel(key, channel)
    return channel


def _channel_stem(name: str) -> str:
    """'Al-Example TV' and 'Al-Example Network' are both 'alexample'."""
    return "".join(ch for ch in _CHANNEL_WORDS.sub(" ", name).casefold() if ch.isalnum())


def _speakers(
    clip: Clip, page: ParsedPage, user, warnings: list[Warning], lookups: Lookups, *, new: bool
) -> list[Speaker]:
    """The page's speakers on the clip: people (with the spellings the page used as aliases), roles,
    and groups, which are never people. A description printed beside a name stays on the clip's
    speaker and is offered, not written, for the person's profile."""
    existing = {} if new else {s.label: s for s in clip.speakers.select_related("person")}
    result, dirty = [], []
    for position, parsed in enumerate(page.speakers):
        speaker = existing.pop(parsed.label, None) or Speaker(clip=clip, label=parsed.label)
        before = (speaker.position, speaker.role, speaker.description, speaker.person_id)
        speaker.position, speaker.role, speaker.description = position, parsed.role, parsed.description
        if parsed.is_person:
            person = lookups.person(
                speaker.person.name if speaker.person else parsed.label, parsed.spellings, user
            )
            speaker.person = speaker.person or person
            if parsed.description and not speaker.person.description:
                warnings.append(
                    Warning(1, f"'{parsed.description}' is offered for the profile of {speaker.person.name}")
                )
        elif parsed.kind == "group":
            speaker.person = None
        if speaker.pk is None or before != (position, speaker.role, speaker.description, speaker.person_id):
            speaker._history_user = user
            dirty.append(speaker)
        result.append(speaker)
    if new:
        # A new clip: its speakers and their history in two inserts (its own save has scheduled
        # its search-index job already).
        bulk_create_with_history(dirty, Speaker, default_user=user)
    else:
        for speaker in dirty:
            speaker.save()
    for stale in existing.values():
        stale._history_user = user
        stale.delete()
    return result


def _segments(clip: Clip, page: ParsedPage, speakers: list[Speaker], language: str, user) -> int:
    """Write the page's lines over the clip's segments, position by position. Returns how many changed."""
    current = list(clip.segments.order_by("position", "id"))
    if not current:
        # A new clip: its lines and their history rows in two inserts. The clip's own save has
        # already scheduled its search-index job, so the rows' save signals are not needed.
        segments = [
            Segment(
                clip=clip,
                position=position,
                english_text=line.text,
                english_origin=Origin.HUMAN,
                speaker=speakers[line.speaker] if line.speaker is not None else None,
                original_language=language,
            )
            for position, line in enumerate(page.lines)
        ]
        bulk_create_with_history(segments, Segment, default_user=user)
        return len(segments)
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


def _references(clip: Clip, page: ParsedPage, user, lookups: Lookups) -> None:
    clip.references.all().delete()
    ClipReference.objects.bulk_create(
        ClipReference(
            clip=clip,
            number=ref.number,
            publisher=ref.publisher,
            text=ref.text,
            person=lookups.person(ref.person, [], user) if ref.person else None,
        )
        for ref in page.references
    )
