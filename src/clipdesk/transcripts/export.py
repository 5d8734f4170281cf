"""The transcript of a clip in every downloadable form: JSON, plain text, WebVTT and SRT.

`clip_document` is the one JSON shape of a clip; the download view, the CLI and the API use it.
Language codes are BCP 47 throughout: "en" for the English translation, the segments'
`original_language` (e.g. "ar") for the original.
"""

from django.conf import settings

from clipdesk.archive.citation import Citation, format_time
from clipdesk.archive.models import Clip
from clipdesk.recording.provenance import provenance

from .models import Segment
from .subtitles import Cue, to_srt, to_webvtt

FORMATS = ("vtt", "srt", "txt", "json")


class ExportError(Exception):
    """This clip cannot be exported in the form asked for; the message says why."""


def _segments(clip: Clip) -> list[Segment]:
    return list(clip.segments.in_order())


def original_language(clip: Clip, segments: list[Segment] | None = None) -> str:
    """The BCP 47 code of the clip's original text ('' when it has none)."""
    for segment in segments if segments is not None else _segments(clip):
        if segment.original_text and segment.original_language:
            return segment.original_language
    return ""


def languages(clip: Clip) -> list[str]:
    original = original_language(clip)
    return ["en", original] if original and original != "en" else ["en"]


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
    return [
        Cue(
            start_ms=s.start_ms,
            end_ms=s.end_ms,
            text=getattr(s, field),
            speaker=s.speaker.label if s.speaker else None,
            identifier=f"line-{s.position + 1}",
        )
        for s in segments
        if s.is_timed and getattr(s, field).strip()
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
        if original and segment.original_text:
            lines.append(f"{stamp}({original}) {segment.original_text}")
            lines.append(f"{stamp}(en) {segment.english_text}")
        else:
            lines.append(f"{stamp}{segment.english_text}")
    return "\n".join(lines) + "\n"


def clip_document(clip: Clip) -> dict:
    """The whole clip and its segments as JSON-ready data."""
    segments = _segments(clip)
    speakers = list(clip.speakers.select_related("person"))
    base = settings.CLIPDESK_BASE_URL
    corrections = [
        {"published_at": r.published_at.isoformat(), "note": r.note}
        for r in clip.revisions.published().order_by("published_at")
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
            }
            for s in segments
        ],
        "references": [{"number": r.number, "publisher": r.publisher} for r in clip.references.all()],
        "corrections": corrections,
        "citation": Citation.for_clip(clip).plain(),
        "recording": provenance(clip),
    }
