"""How to cite a clip, or one line of it. Built once here; the clip page, line permalinks,
sharing and the API all use it."""

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings

from .models import Clip, format_duration


def format_time(ms: int | None) -> str:
    """A moment in a clip as readers see it: '1:12', or '1:02:03' past the hour."""
    if ms is None:
        return ""
    seconds = ms // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass(frozen=True, slots=True)
class Citation:
    publisher: str
    number: int | None
    title: str
    channel: str
    aired_on: dt.date | None
    url: str
    duration: str = ""
    speaker: str = ""
    start_ms: int | None = None
    quote: str = ""
    accessed: dt.date | None = None
    end_ms: int | None = None  # an excerpt of several lines ends here

    @classmethod
    def for_clip(cls, clip: Clip, *, accessed: dt.date | None = None) -> "Citation":
        return cls(
            publisher=settings.CLIPDESK_PUBLISHER,
            number=clip.number,
            title=clip.title,
            channel=clip.channel.source_label if clip.channel else "",
            aired_on=clip.aired_on,
            url=settings.CLIPDESK_BASE_URL + clip.get_absolute_url(),
            duration=format_duration(clip.duration_ms),
            accessed=accessed,
        )

    @classmethod
    def for_segment(cls, segment, *, accessed: dt.date | None = None) -> "Citation":
        """A line of a clip: who said it, when in the clip, and a URL that opens the player there."""
        clip = segment.clip
        base = cls.for_clip(clip, accessed=accessed)
        url = base.url
        if segment.start_ms is not None:
            url += f"?t={segment.start_ms // 1000}"
        url += f"#line-{segment.position + 1}"
        return cls(
            publisher=base.publisher,
            number=base.number,
            title=base.title,
            channel=base.channel,
            aired_on=base.aired_on,
            url=url,
            duration=base.duration,
            speaker=segment.speaker.label if segment.speaker else "",
            start_ms=segment.start_ms,
            quote=segment.english_text,
            accessed=accessed,
        )

    @classmethod
    def for_excerpt(cls, segments, *, accessed: dt.date | None = None) -> "Citation":
        """Consecutive lines of a clip, cited as one span: everyone who speaks in it, its start and end,
        and a URL that plays from the first line's start and stops at the end of the last (`?t=&end=`)."""
        first, last = segments[0], segments[-1]
        if len(segments) == 1:
            return cls.for_segment(first, accessed=accessed)
        base = cls.for_clip(first.clip, accessed=accessed)
        url = base.url
        if first.start_ms is not None and last.end_ms is not None:
            url += (
                f"?t={first.start_ms // 1000}&end={-(-last.end_ms // 1000)}"  # whole seconds, end rounded up
            )
        speakers = dict.fromkeys(s.speaker.label for s in segments if s.speaker)
        return replace(
            base,
            url=f"{url}#line-{first.position + 1}",
            speaker=" and ".join(speakers),
            start_ms=first.start_ms,
            end_ms=last.end_ms if first.start_ms is not None else None,
            quote=" ".join(s.english_text for s in segments),
        )

    @property
    def reference(self) -> str:
        return f"{self.publisher} clip #{self.number}" if self.number else f"{self.publisher} clip"

    @property
    def _aired(self) -> str:
        return f"{self.aired_on:%B} {self.aired_on.day}, {self.aired_on.year}" if self.aired_on else "n.d."

    def plain(self) -> str:
        """'Ibrahim Al-Amine, Al-Manar TV (Lebanon), May 28, 2021, at 1:12. clipdesk clip #8891. URL'"""
        who = [p for p in (self.speaker, self.channel, self._aired) if p]
        at = f", at {format_time(self.start_ms)}" if self.start_ms is not None else ""
        if at and self.end_ms is not None:
            at += f"\u2013{format_time(self.end_ms)}"
        lead = f'"{self.quote}" ' if self.quote else ""
        return f"{lead}{', '.join(who)}{at}. {self.reference}: {self.title}. {self.url}"

    def apa(self) -> str:
        date = f"{self.aired_on.year}, {self.aired_on:%B} {self.aired_on.day}" if self.aired_on else "n.d."
        return (
            f"{self.publisher}. ({date}). {self.title} [Video; {self.reference}, {self.channel}]. {self.url}"
        )

    def chicago(self) -> str:
        accessed = (
            f" Accessed {self.accessed:%B} {self.accessed.day}, {self.accessed.year}."
            if self.accessed
            else ""
        )
        return f'{self.publisher}. "{self.title}." {self.reference}, {self.channel}, {self._aired}. Video, {self.duration}.{accessed} {self.url}.'

    def bibtex(self) -> str:
        key = f"{self.publisher.lower().replace(' ', '')}{self.number or ''}"
        fields = {
            "title": self.title,
            "author": f"{{{self.publisher}}}",
            "howpublished": f"Video, {self.channel}",
            "year": str(self.aired_on.year) if self.aired_on else "",
            "month": f"{self.aired_on:%b}".lower() if self.aired_on else "",
            "note": self.reference + (f", {self.duration}" if self.duration else ""),
            "url": self.url,
        }
        body = ",\n".join(f"  {k} = {{{_bibtex_escape(v)}}}" for k, v in fields.items() if v)
        return f"@misc{{{key},\n{body}\n}}"


def _bibtex_escape(value: str) -> str:
    if value.startswith("{") and value.endswith("}"):
        return value
    return "".join("\\" + ch if ch in "&%$#_{}" else ch for ch in value)
