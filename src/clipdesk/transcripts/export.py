"""The transcript of a clip in every downloadable form: JSON, plain text, WebVTT and SRT.

`clip_document` is the one JSON shape of a clip; the download view, the CLI and the API use it.
Language codes are BCP 47 throughout: "en" for the English translation, the segments'
`original_language` (e.g. "ar") for the original.
"""

from collections.abc import Callable

from django.conf import settings

from clipdesk.archive.citation import Citation, format_time
from clipdesk.archive.models import Clip

from . import models
from .captions import split_line, stretch
from .models import MACHINE_FIELDS, Segment
from .subtitles import Cue, to_srt, to_webvtt

FORMATS = ("vtt", "srt", "txt", "json")

# Sections that apps above this one add to a clip's JSON document, by key: a function of the clip giving
# JSON-ready data, or None. The recording app adds "recording", where a clip cut from a recording came from.
DOCUMENT_SECTIONS: dict[str, Callable[[Clip], object]] = {}


def add_document_section(key: str, section: Callable[[Clip], object]) -> None:
    DOCUMENT_SECTIONS[key] = section


class ExportError(Exception):
    """This clip cannot be exported in the form asked for; the message says why."""


def _segments(clip: Clip) -> list[Segment]:
    return list(clip.segments.in_order())


def original_language(clip: Clip, segments: list[Segment] | None = None) -> str:
    """The BCP 47 code of the clip's original text ('' when it has none)."""
    return models.original_language(segments if segments is not None else _segments(clip))


def languages(clip: Clip) -> list[str]:
    return clip.segments.in_order().caption_languages()


def cues(clip: Clip, language: str) -> list[Cue]:
    """Caption cues for `language` from the clip's timed segments."""
    segments = _segments(clip)
    if not any(s.is_timed for s in segments):
        raise ExportError(
            f"Clip {clip.reference} has no timings, so it has no captions; its transcript is at .txt or .json."
        )
    original = original_language(clip, segments)
    if language == "en":
        field = "english_text"
    elif language == original:
        field = "original_text"
    else:
        available = " and ".join(languages(clip))
        raise ExportError(
            f"Clip {clip.reference} has no text in {language!r}; captions exist in {available}."
        )
    # Each line becomes one cue, or several by the subtitle rules (see captions.py); their identifiers
    # name the line ("line-3", "line-3-2").
    timed = []
    for s in segments:
        if not (s.is_timed and getattr(s, field).strip()):
            continue
        words = s.words if field == "original_text" else None
        parts = split_line(s.start_ms, s.end_ms, getattr(s, field), words)
        for number, (start, end, text) in enumerate(parts, start=1):
            identifier = f"line-{s.position + 1}" + (f"-{number}" if len(parts) > 1 else "")
            timed.append([start, end, text, s.speaker.label if s.speaker else None, identifier])
    stretch(timed)
    return [
        Cue(start_ms=start, end_ms=end, text=text, speaker=speaker, identifier=identifier)
        for start, end, text, speaker, identifier in timed
    ]


def to_vtt(clip: Clip, language: str = "en") -> str:
    return to_webvtt(cues(clip, language))


def to_subrip(clip: Clip, language: str = "en") -> str:
    return to_srt(cues(clip, language))


def to_text(clip: Clip) -> str:
    """A plain-text transcript: the header of the clip page, then each turn with its speaker."""
    segments = _segments(clip)
    original = original_language(clip, segments)
    lines = [f"{clip.reference} | {clip.duration_display}".rstrip(" |"), clip.title]
    if clip.channel:
        lines.append(f"Source: {clip.channel.source_label}")
    if clip.aired_on:
        lines.append(f"Aired: {clip.aired_on.isoformat()}")
    lines.append(settings.CLIPDESK_BASE_URL + clip.get_absolute_url())
    if clip.summary:
        lines += ["", clip.summary]
    previous = object()
    for segment in segments:
        if segment.speaker_id != previous:
            lines += ["", f"{segment.speaker.label if segment.speaker else '[unattributed]'}:"]
            previous = segment.speaker_id
        stamp = f"[{format_time(segment.start_ms)}] " if segment.start_ms is not None else ""
        if segment.spoken_in_english:  # English speech is its own English: once
            lines.append(f"{stamp}{'(en) ' if original else ''}{segment.text_once}")
        elif original and segment.original_text:
            lines.append(f"{stamp}({segment.original_language or original}) {segment.original_text}")
            lines.append(f"{stamp}(en) {segment.english_text}")
        else:
            lines.append(f"{stamp}{segment.english_text}")
        if segment.note:
            lines.append(f"{' ' * len(stamp)}[Translator's note: {segment.note}]")
    return "\n".join(lines) + "\n"


def clip_document(clip: Clip, *, staff: bool = False) -> dict:
    """The whole clip and its segments as JSON-ready data. For ``staff``, each machine line also
    carries what the speech pipeline knew of it (MACHINE_FIELDS: words with times and probabilities,
    the decoder's scores, its doubts): working data, not for the public document."""
    segments = _segments(clip)
    speakers = list(clip.speakers.select_related("person"))
    base = settings.CLIPDESK_BASE_URL
    corrections = [
        {
            "published_at": r.published_at.isoformat(),
            "note": r.note,
            "changes": [
                {
                    "line": e.segment.position + 1 if e.segment_id else None,
                    "field": e.field,
                    "before": e.before,
                    "after": e.after,
                }
                for e in r.edits.all()
            ],
        }
        for r in clip.revisions.published().prefetch_related("edits__segment").order_by("published_at")
    ]
    return {
        "id": clip.pk,
        "number": clip.number,
        "reference": clip.reference,
        "url": base + clip.get_absolute_url(),
        "status": clip.status,
        "title": clip.title,
        "summary": clip.summary,
        "aired_on": clip.aired_on.isoformat() if clip.aired_on else None,
        "published_at": clip.published_at.isoformat() if clip.published_at else None,
        "duration_ms": clip.duration_ms,
        "channel": clip.channel
        and {
            "name": clip.channel.name,
            "country": clip.channel.country,
            "affiliation": clip.channel.affiliation,
            "language": clip.channel.language,
        },
        "topics": [t.name for t in clip.topics.all()],
        "people": [
            {"name": p.name, "kind": p.kind, "url": base + p.get_absolute_url()} for p in clip.people.all()
        ],
        "languages": languages(clip),
        "speakers": [
            {
                "id": s.pk,
                "label": s.label,
                "role": s.role,
                "person": s.person and {"name": s.person.name, "url": base + s.person.get_absolute_url()},
            }
            for s in speakers
        ],
        "segments": [
            {
                "position": s.position,
                "start_ms": s.start_ms,
                "end_ms": s.end_ms,
                "speaker_id": s.speaker_id,
                "original_language": s.original_language,
                "original_text": s.original_text,
                "original_origin": s.original_origin,
                "english_text": s.english_text,
                "english_origin": s.english_origin,
                "note": s.note,
                **({name: getattr(s, name) for name in MACHINE_FIELDS} if staff else {}),
            }
            for s in segments
        ],
        "references": [{"number": r.number, "publisher": r.publisher} for r in clip.references.all()],
        "corrections": corrections,
        "citation": Citation.for_clip(clip).plain(),
        **{key: section(clip) for key, section in DOCUMENT_SECTIONS.items()},
    }
