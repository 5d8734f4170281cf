"""The shapes of API responses. Field names follow `clip_document`, the one JSON shape of a clip."""

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.urls import reverse
from ninja import Field, Schema

from clipdesk.caching import tag


def absolute(path: str) -> str:
    return settings.CLIPDESK_BASE_URL + path


def clips_url(**filters: str) -> str:
    """The API's clip list with one filter, e.g. a person's clips."""
    (name, value), *_ = filters.items()
    return absolute(f"{reverse('api:json:list_clips')}?{name}={value}")


class Error(Schema):
    detail: str


class InvalidRequest(Schema):
    detail: list[dict[str, Any]] = Field(description="What was wrong with each parameter.")


class ChannelRef(Schema):
    slug: str
    name: str
    country: str
    language: str = Field(description="BCP 47 code of the channel's main language.")
    affiliation: str
    url: str = Field(description="The channel's page.")

    @staticmethod
    def resolve_url(channel) -> str:
        tag(f"channel-{channel.pk}")  # the response shows it: cached pages record what they show
        return absolute(channel.get_absolute_url())


class Channel(ChannelRef):
    clip_count: int = Field(description="Published clips from this channel.")
    clips_url: str

    @staticmethod
    def resolve_clips_url(channel) -> str:
        tag(f"channel-{channel.pk}-list")  # its clip count
        return clips_url(channel=channel.slug)


class Topic(Schema):
    slug: str
    name: str
    description: str
    url: str
    clip_count: int
    clips_url: str

    @staticmethod
    def resolve_url(topic) -> str:
        tag(f"topic-{topic.pk}")
        return absolute(topic.get_absolute_url())

    @staticmethod
    def resolve_clips_url(topic) -> str:
        tag(f"topic-{topic.pk}-list")  # its clip count
        return clips_url(topic=topic.slug)


class Person(Schema):
    slug: str
    name: str
    kind: Literal["person", "organisation"]
    description: str
    aliases: list[str] = Field(description="Other names the person is printed under, e.g. a surname alone.")
    url: str
    clip_count: int = Field(description="Published clips they speak in or that are about them.")
    clips_url: str

    @staticmethod
    def resolve_aliases(person) -> list[str]:
        return person.alias_names

    @staticmethod
    def resolve_url(person) -> str:
        tag(f"person-{person.pk}")
        return absolute(person.get_absolute_url())

    @staticmethod
    def resolve_clips_url(person) -> str:
        tag(f"person-{person.pk}-list")  # its clip count
        return clips_url(person=person.slug)


class ClipSummary(Schema):
    id: int
    number: int | None = Field(description="The public number; null for a draft.")
    reference: str = Field(description="'#8891', or 'id:12' for a draft.")
    url: str = Field(description="The clip's page.")
    api_url: str = Field(description="The clip with its transcript, from this API.")
    status: Literal["draft", "review", "published", "withdrawn"]
    title: str
    summary: str
    aired_on: dt.date | None
    published_at: dt.datetime | None
    duration_ms: int | None
    channel: ChannelRef | None
    topics: list[str]

    @staticmethod
    def resolve_url(clip) -> str:
        tag(f"clip-{clip.number}", *(f"topic-{topic.pk}" for topic in clip.topics.all()))
        return absolute(clip.get_absolute_url())

    @staticmethod
    def resolve_api_url(clip) -> str:
        ref = str(clip.number) if clip.number else f"id:{clip.pk}"
        return absolute(reverse("api:json:get_clip", args=[ref]))

    @staticmethod
    def resolve_topics(clip) -> list[str]:
        return [topic.name for topic in clip.topics.all()]


# The clip with its transcript: exactly clipdesk.transcripts.export.clip_document.


class DocumentChannel(Schema):
    name: str
    country: str
    affiliation: str
    language: str


class DocumentPerson(Schema):
    name: str
    kind: Literal["person", "organisation"]
    url: str


class SpeakerPerson(Schema):
    name: str
    url: str


class Speaker(Schema):
    id: int
    label: str = Field(description="The name as printed, e.g. 'Ibrahim Al-Amine' or 'Host'.")
    role: str = Field(description="host, anchor, interviewer, reporter, or empty.")
    person: SpeakerPerson | None


class Segment(Schema):
    position: int
    start_ms: int | None
    end_ms: int | None
    speaker_id: int | None
    original_language: str = Field(description="BCP 47 code of the original text.")
    original_text: str
    original_origin: Literal["machine", "human"]
    english_text: str
    english_origin: Literal["machine", "human"]
    note: str = Field("", description="The translator's note on this line ('' for none).")
    # Only in a document asked for with a staff member's token, for machine lines.
    words: list[tuple[int, int, str, float]] | None = Field(
        None, description="Staff only: [start_ms, end_ms, text, probability] of each word."
    )
    language_probability: float | None = Field(None, description="Staff only: of the original language.")
    avg_logprob: float | None = Field(None, description="Staff only: the decoder's average log-probability.")
    no_speech_prob: float | None = Field(None, description="Staff only: the decoder's no-speech probability.")
    compression_ratio: float | None = Field(None, description="Staff only: gzip compression ratio.")
    uncertain: bool | None = Field(None, description="Staff only: the machine text failed a check.")
    uncertain_reason: str | None = Field(None, description="Staff only: which checks, comma-separated.")


class Reference(Schema):
    number: int
    publisher: str


class CorrectionChange(Schema):
    line: int | None = Field(
        description="The line changed (from 1), or null for the clip's title or summary."
    )
    field: str = Field(
        description="english_text, original_text, note, speaker_id, start_ms, end_ms, title, ..."
    )
    before: str
    after: str


class Correction(Schema):
    published_at: dt.datetime
    note: str
    changes: list[CorrectionChange] = Field(description="What the correction changed, before and after.")


class RecordingSegment(Schema):
    sha256: str
    start: dt.datetime
    end: dt.datetime


class Provenance(Schema):
    channel: str
    time_zone: str = Field(description="The channel's IANA time zone.")
    start: dt.datetime = Field(description="When the clip's first moment aired, UTC.")
    end: dt.datetime
    start_local: dt.datetime = Field(description="The same, in the channel's zone.")
    end_local: dt.datetime
    offset_ms: int = Field(description="Where the cut starts in the first source segment.")
    duration_ms: int
    segments: list[RecordingSegment] = Field(description="The recorded segments it was cut from, in order.")


class ClipDocument(Schema):
    id: int
    number: int | None
    reference: str
    url: str
    status: Literal["draft", "review", "published", "withdrawn"]
    title: str
    summary: str
    aired_on: dt.date | None
    published_at: dt.datetime | None
    duration_ms: int | None
    channel: DocumentChannel | None
    topics: list[str]
    people: list[DocumentPerson]
    languages: list[str] = Field(description="BCP 47 codes of the transcript's languages: 'en' first.")
    speakers: list[Speaker]
    segments: list[Segment] = Field(description="The transcript, line by line, in order.")
    references: list[Reference] = Field(description="Other clips this one refers to, by number.")
    corrections: list[Correction]
    citation: str
    recording: Provenance | None = Field(None, description="Where a clip cut from a recording came from.")


# Search results.


class SearchLine(Schema):
    position: int
    speaker: str
    start_ms: int | None
    url: str = Field(description="The line's moment on the clip's page.")
    english_html: str = Field(description="The English, HTML-escaped, with the matching words in <mark>.")
    original_html: str = Field(description="The original text, escaped and marked the same way.")


class SearchHit(Schema):
    clip: ClipSummary
    score: float
    lines: list[SearchLine] = Field(description="The best matching lines, best first.")


class SearchPage(Schema):
    query: str
    notes: list[str] = Field(
        description="What the search made of the query, for the reader: ignored words and such."
    )
    count: int | None = Field(description="Matching clips on all pages together.")
    page: int
    page_size: int
    next: str | None
    previous: str | None
    items: list[SearchHit]
