"""Public archive pages. Views stay small: reads are QuerySet methods, writes are actions."""

import re
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from csp.decorators import csp_replace
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from clipdesk import params
from clipdesk.caching import public, tag

from .citation import Citation
from .invalidation import tag_cards, tag_clip_page, tag_listing
from .models import Channel, Clip, Person, Topic
from .references import render_summary

if TYPE_CHECKING:  # the lines and speakers of a clip are the transcripts app's; reached here by relations
    from clipdesk.transcripts.models import Segment, Speaker

LIST_FILTERS = ("channel", "country", "topic", "person", "year")


@dataclass
class Turn:
    speaker: "Speaker | None"
    segments: "list[Segment]"


def group_turns(segments) -> list[Turn]:
    turns: list[Turn] = []
    for segment in segments:
        if turns and turns[-1].speaker == segment.speaker:
            turns[-1].segments.append(segment)
        else:
            turns.append(Turn(segment.speaker, [segment]))
    return turns


def _page(request, queryset):
    return Paginator(queryset, settings.CLIPDESK_PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
@public("page")
def home(request):
    clips = list(Clip.objects.published().for_listing()[:12])
    tag("list")
    tag_cards(clips)
    return render(request, "archive/home.html", {"clips": clips})


def _filter_options(chosen) -> dict[str, SafeString]:
    """The <option>s of each filter on /clips/, those of published clips only, the chosen one selected.

    Built here from plain value/label rows rather than in the template: an archive names thousands of
    people, and a template loop over model instances made this the slowest part of the page. Each
    list is read from its own small table, asking of each row whether a published clip has it
    (the `public()` QuerySets), rather than by joining every published clip and dropping repeats:
    this page's queries took four fifths of its time that way (bench/profile_pages.py).
    """
    published = Clip.objects.published()
    rows = {
        "channel": Channel.objects.public().values_list("slug", "name"),
        "country": [
            (c, c)
            for c in Channel.objects.public()
            .exclude(country="")
            .values_list("country", flat=True)
            .order_by("country")
            .distinct()
        ],
        "topic": Topic.objects.public().values_list("slug", "name"),
        "person": Person.objects.featured_in(published).values_list("slug", "name"),
        "year": [(y, y) for y in map(str, published.air_years())],
    }
    return {name: _options(pairs, chosen.get(name, "")) for name, pairs in rows.items()}


def _options(pairs, selected: str) -> SafeString:
    options = (
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(label)}</option>'
        for value, label in pairs
    )
    return mark_safe("".join(options))  # every value and label escaped above


@require_GET
@public("page")
def clip_list(request):
    clips = Clip.objects.published()
    chosen = {}
    if slug := request.GET.get("channel"):
        chosen["channel"] = get_object_or_404(Channel.objects.public(), slug=slug)
        clips = clips.for_channel(chosen["channel"])
    if country := request.GET.get("country"):
        chosen["country"] = country
        clips = clips.for_country(country)
    if slug := request.GET.get("topic"):
        chosen["topic"] = get_object_or_404(Topic.objects.public(), slug=slug)
        clips = clips.for_topic(chosen["topic"])
    if slug := request.GET.get("person"):
        chosen["person"] = get_object_or_404(Person.objects.public(), slug=slug)
        clips = clips.featuring(chosen["person"])
    if (year := params.integer(request.GET, "year", minimum=1, maximum=9999, what="a year")) is not None:
        chosen["year"] = year
        clips = clips.aired_in(year)
    page = _page(request, clips.for_listing())
    tag("list", "channels", "topics", "people")
    tag_cards(page.object_list)
    context = {
        "page": page,
        "chosen": chosen,
        "filters": _filter_options(request.GET),
        "query": {k: request.GET[k] for k in LIST_FILTERS if request.GET.get(k)},
    }
    return render(request, "archive/clip_list.html", context)


RTL_LANGUAGES = {"ar", "fa", "ur", "he", "ps", "ckb", "yi", "dv", "sd", "ug"}
# ASCII digits only (str.isdigit() also takes "²", which int() refuses), and few enough for any clip.
MOMENT = re.compile(r"[0-9]{1,6}(?::[0-9]{1,2}){0,2}")


def parse_moment(value: str | None) -> int | None:
    """`?t=72`, `?t=1:12` or `?t=1:02:03` (also `72s`) as whole seconds; None when unreadable.

    An unreadable moment is ignored rather than refused: a shared link still opens the clip.
    """
    value = (value or "").strip().removesuffix("s")
    if not MOMENT.fullmatch(value):
        return None
    seconds = 0
    for part in value.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def _to_canonical(request, clip: Clip):
    """301 to the clip's address, keeping the query (`?t=`) so a shared moment survives the redirect."""
    url = clip.get_absolute_url()
    if request.META.get("QUERY_STRING"):
        url += "?" + request.META["QUERY_STRING"]
    return redirect(url, permanent=True)


def _render_clip(request, clip: Clip):
    lines = clip.segments.in_order().for_reading()
    segments = list(lines)
    # Ordered within the clip alone: the models' default orders join the clip again to sort by it.
    references = list(clip.references.select_related("person").order_by("id"))
    numbers = {ref.number for ref in references}
    targets = {c.number: c for c in Clip.objects.published().filter(number__in=numbers)} if numbers else {}
    timed = any(s.is_timed for s in segments)
    media = clip.media.order_by("-created_at").first() if timed else None
    original = lines.original_language()  # from the rows just read
    # The template shows each edit's words with transcript_tags' word_diff filter.
    corrections = [
        (revision, list(revision.edits.all()))
        for revision in clip.revisions.published().prefetch_related("edits__segment").order_by("published_at")
    ]
    topics, people = list(clip.topics.all()), list(clip.people.all())
    if clip.number:
        tag_clip_page(
            clip, topics=topics, people=people, speakers=[s.speaker for s in segments], references=references
        )
    context = {
        "clip": clip,
        "turns": group_turns(segments),
        "line_count": len(segments),
        # English speech has its transcript as its English: one column then, not the same text twice.
        "has_original": any(s.original_text and s.original_text != s.english_text for s in segments),
        "original_language": original,
        "original_dir": "rtl" if original.split("-")[0] in RTL_LANGUAGES else "ltr",
        "summary_html": render_summary(clip.summary, references, targets),
        "references": [(ref, targets.get(ref.number)) for ref in references],
        "topics": topics,
        "people": people,
        "preview": not clip.is_public,
        "media": media,
        "timed": timed,
        "caption_languages": ["en", original]
        if timed and original and original != "en"
        else (["en"] if timed else []),
        "start_at": parse_moment(request.GET.get("t")),
        "end_at": parse_moment(request.GET.get("end")),  # an excerpt's link plays from ?t= and stops at ?end=
        "corrections": corrections,
        "citation": Citation.for_clip(clip, accessed=timezone.localdate()),
        "absolute_url": settings.CLIPDESK_BASE_URL + clip.get_absolute_url(),
    }
    return render(request, "archive/clip_detail.html", context)


@require_GET
@public("page")
def clip_detail(request, number: int, slug: str):
    clip = get_object_or_404(Clip.objects.select_related("channel"), number=number)
    if clip.status == Clip.Status.WITHDRAWN:
        tag_clip_page(clip)
        return render(request, "archive/clip_withdrawn.html", {"clip": clip}, status=410)
    if not clip.is_visible_to(request.user):
        raise Http404("No such clip.")
    if slug != clip.slug:
        return _to_canonical(request, clip)
    return _render_clip(request, clip)


@require_GET
def clip_by_number(request, number: int):
    clip = get_object_or_404(Clip, number=number)
    return _to_canonical(request, clip)


@require_GET
def clip_by_id(request, pk: int):
    """Staff preview of any clip by its internal id; readers are sent to the public page."""
    clip = get_object_or_404(Clip.objects.select_related("channel"), pk=pk)
    if request.user.is_authenticated and request.user.is_staff:
        return _render_clip(request, clip)
    if clip.number and clip.status in {Clip.Status.PUBLISHED, Clip.Status.WITHDRAWN}:
        return _to_canonical(request, clip)
    raise Http404("No such clip.")


def _published_counts(queryset, relation: str):
    return queryset.annotate(
        clip_count=Count(relation, filter=Q(**{f"{relation}__status": Clip.Status.PUBLISHED}), distinct=True)
    ).filter(clip_count__gt=0)


@require_GET
@public("page")
def person_list(request):
    # A person's clips are those they speak in or are linked to; count each clip once.
    clips_of: dict[int, set[int]] = {}
    rows = Clip.objects.published().values_list("pk", "speakers__person", "people")
    for clip_id, speaker_person, linked_person in rows:
        for person_id in (speaker_person, linked_person):
            if person_id:
                clips_of.setdefault(person_id, set()).add(clip_id)
    people = list(Person.objects.filter(pk__in=clips_of))
    for person in people:
        person.clip_count = len(clips_of[person.pk])
    tag("list", "people")
    return render(request, "archive/person_list.html", {"people": people})


@require_GET
@public("page")
def person_detail(request, slug: str):
    person = get_object_or_404(Person.objects.public().prefetch_related("aliases"), slug=slug)
    page = _page(request, Clip.objects.published().featuring(person).for_listing())
    tag_listing(person)
    tag_cards(page.object_list)
    return render(request, "archive/person_detail.html", {"person": person, "page": page})


@require_GET
@public("page")
def channel_list(request):
    tag("list", "channels")
    return render(
        request, "archive/channel_list.html", {"channels": _published_counts(Channel.objects.all(), "clips")}
    )


@require_GET
@public("page")
def channel_detail(request, slug: str):
    channel = get_object_or_404(Channel.objects.public(), slug=slug)
    page = _page(request, Clip.objects.published().for_channel(channel).for_listing())
    tag_listing(channel)
    tag_cards(page.object_list)
    return render(request, "archive/channel_detail.html", {"channel": channel, "page": page})


@require_GET
@public("page")
def topic_list(request):
    tag("list", "topics")
    return render(
        request, "archive/topic_list.html", {"topics": _published_counts(Topic.objects.all(), "clips")}
    )


@require_GET
@public("page")
def topic_detail(request, slug: str):
    topic = get_object_or_404(Topic.objects.public(), slug=slug)
    page = _page(request, Clip.objects.published().for_topic(topic).for_listing())
    tag_listing(topic)
    tag_cards(page.object_list)
    return render(request, "archive/topic_detail.html", {"topic": topic, "page": page})


@require_GET
@public("page")
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def clip_embed(request, number: int):
    """The player alone, for other sites to frame: `/embed/<number>/?t=&end=`. The only page that may be framed."""
    clip = get_object_or_404(Clip.objects.published().select_related("channel"), number=number)
    tag_clip_page(clip)
    media = clip.media.first()
    context = {
        "clip": clip,
        "media": media,
        "caption_languages": clip.segments.in_order().caption_languages()
        if clip.segments.timed().exists()
        else [],
        "start_at": parse_moment(request.GET.get("t")),
        "end_at": parse_moment(request.GET.get("end")),
        "absolute_url": settings.CLIPDESK_BASE_URL + clip.get_absolute_url(),
    }
    return render(request, "archive/embed.html", context)
