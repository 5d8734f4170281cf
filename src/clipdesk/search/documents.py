"""Clips as the search engines see them, read from the database in batches."""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch

from clipdesk.archive.models import Clip, Person
from clipdesk.transcripts.models import Segment, Speaker

from .interfaces import ClipDocument, SegmentDocument

# A line as read for indexing: plain values, since a rebuild reads every line of the archive.
LINE_FIELDS = (
    "clip_id",
    "pk",
    "position",
    "start_ms",
    "english_text",
    "original_text",
    "original_language",
    "speaker_id",
)


def indexable():
    """Every clip the index should hold: withdrawn clips are never searchable, by anyone."""
    return Clip.objects.exclude(status=Clip.Status.WITHDRAWN)


def _names(person: Person | None) -> list[str]:
    return [person.name, *(a.name for a in person.aliases.all())] if person else []


def _language(code: str) -> str:
    return code.split("-", 1)[0].strip().lower()


def clip_document(clip: Clip, lines: Iterable[tuple]) -> ClipDocument:
    """The document for a clip loaded with `_with_relations`, and its lines as `LINE_FIELDS` rows."""
    speakers = list(clip.speakers.all())
    spoken_by = {s.pk: " ".join([s.label, *_names(s.person)]) for s in speakers}
    people = {p.pk: p for p in clip.people.all()}
    people.update({s.person.pk: s.person for s in speakers if s.person})
    ordered = sorted(people.values(), key=lambda p: p.name)
    segments = tuple(
        SegmentDocument(
            segment_id=pk,
            position=position,
            start_ms=start_ms,
            english=english,
            original=original,
            language=_language(language),
            speaker=spoken_by.get(speaker_id, ""),
        )
        for _, pk, position, start_ms, english, original, language, speaker_id in lines
    )
    return ClipDocument(
        clip_id=clip.pk,
        number=clip.number,
        status=clip.status,
        title=clip.title,
        summary=clip.summary,
        channel=clip.channel.slug if clip.channel else "",
        channel_name=clip.channel.name if clip.channel else "",
        country=clip.channel.country if clip.channel else "",
        topics=tuple(t.slug for t in clip.topics.all()),
        people=tuple(p.slug for p in ordered),
        names=tuple(name for p in ordered for name in _names(p)),
        aired_on=clip.aired_on,
        segments=segments,
    )


def _with_relations(clips):
    return clips.select_related("channel").prefetch_related(
        "topics",
        Prefetch("people", queryset=Person.objects.prefetch_related("aliases")),
        Prefetch(
            "speakers", queryset=Speaker.objects.select_related("person").prefetch_related("person__aliases")
        ),
    )


def load_documents(clip_ids: Iterable[int] | None = None, *, batch_size: int = 200) -> Iterator[ClipDocument]:
    """Documents for the given clips (or every indexable clip), in id order, `batch_size` clips at a time.

    Withdrawn clips and clips that no longer exist are left out.
    """
    clips = indexable().order_by("pk")
    if clip_ids is not None:
        clips = clips.filter(pk__in=list(clip_ids))
    last = 0
    while True:
        batch = list(_with_relations(clips.filter(pk__gt=last))[:batch_size])
        if not batch:
            return
        lines: dict[int, list[tuple]] = defaultdict(list)
        rows = Segment.objects.filter(clip__in=[c.pk for c in batch]).order_by("clip_id", "position", "id")
        for row in rows.values_list(*LINE_FIELDS):
            lines[row[0]].append(row)
        for clip in batch:
            yield clip_document(clip, lines[clip.pk])
        last = batch[-1].pk
