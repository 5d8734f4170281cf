"""Public transcript downloads, line permalinks, and the archive's corrections."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from clipdesk import params
from clipdesk.archive.citation import Citation, format_time
from clipdesk.archive.invalidation import tag_clip_page
from clipdesk.archive.models import Clip
from clipdesk.caching import public, tag

from . import export
from .corrections import changes, published_corrections


def _clip_for(request, number: int | None = None, pk: int | None = None) -> Clip | HttpResponse:
    lookup = {"number": number} if number is not None else {"pk": pk}
    clip = get_object_or_404(Clip.objects.select_related("channel"), **lookup)
    if clip.number:
        tag_clip_page(clip)
    if clip.status == Clip.Status.WITHDRAWN:
        return render(request, "archive/clip_withdrawn.html", {"clip": clip}, status=410)
    if not clip.is_visible_to(request.user):
        raise Http404("No such clip.")
    return clip


def _text(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # captions and transcripts are public data
    return response


@require_GET
@public("download")
def clip_json(request, number: int):
    clip = _clip_for(request, number)
    if isinstance(clip, HttpResponse):
        return clip
    tag_clip_page(clip, topics=clip.topics.all(), people=clip.people.all(), speakers=clip.speakers.all())
    staff = request.user.is_staff
    response = JsonResponse(
        export.clip_document(clip, staff=staff), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    if staff:  # the pipeline's working data: for this staff member only, never a shared cache
        patch_cache_control(response, private=True, no_store=True)
    else:
        response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@public("download")
def transcript_txt(request, number: int):
    clip = _clip_for(request, number)
    if isinstance(clip, HttpResponse):
        return clip
    return _text(export.to_text(clip), "text/plain", f"clip-{number}.txt")


@require_GET
@public("download")
def captions(request, language: str, fmt: str, number: int | None = None, pk: int | None = None):
    if fmt not in ("vtt", "srt"):
        raise Http404("Captions come as .vtt or .srt.")
    clip = _clip_for(request, number, pk)
    if isinstance(clip, HttpResponse):
        return clip
    try:
        body = export.to_vtt(clip, language) if fmt == "vtt" else export.to_subrip(clip, language)
    except export.ExportError as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    content_type = "text/vtt" if fmt == "vtt" else "application/x-subrip"
    return _text(body, content_type, f"clip-{number or pk}.{language}.{fmt}")


# An excerpt is a passage, not the whole clip: at most this many lines.
MAX_EXCERPT_LINES = 200


@require_GET
@public("page")
def line_permalink(request, number: int, line: int, last: int | None = None):
    """One line, or lines `line` to `last`, quoted, with the citation and a link that plays exactly them."""
    clip = _clip_for(request, number)
    if isinstance(clip, HttpResponse):
        return clip
    last = line if last is None else last
    if not 1 <= line <= last or last - line >= MAX_EXCERPT_LINES:
        raise Http404("No such lines.")
    lines = clip.segments.select_related("speaker", "clip__channel").filter(
        position__range=(line - 1, last - 1)
    )
    segments = list(lines.order_by("position"))
    if len(segments) != last - line + 1:
        raise Http404("No such lines.")
    citation = Citation.for_excerpt(segments)
    first = segments[0]
    context = {
        "clip": clip,
        "segment": first,
        "segments": segments,
        "last": last,
        "citation": citation,
        "at": format_time(first.start_ms),
        "until": format_time(citation.end_ms),
    }
    return render(request, "transcripts/line.html", context)


@require_GET
@public("page")
def corrections(request):
    """Every published correction across the archive, newest first, each with its word-level changes."""
    page = Paginator(published_corrections(), settings.CLIPDESK_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [(revision, changes(revision)) for revision in page.object_list]
    tag("corrections")
    for revision in page.object_list:  # each entry names its clip and the clip's channel
        tag(f"clip-{revision.clip.number}", f"channel-{revision.clip.channel_id}")
    return render(request, "transcripts/corrections.html", {"page": page, "entries": entries})


def excerpt(request, number: int):
    """The clip page's "Share an excerpt" form (?from=&to=, in either order) to the excerpt's own address."""
    ends = [
        params.integer(request.GET, name, minimum=1, maximum=10**6, what="a line number")
        for name in ("from", "to")
    ]
    given = sorted(n for n in ends if n is not None) or [1]  # one end alone is that one line
    first, last = given[0], given[-1]
    if first == last:
        return redirect(reverse("transcripts:line", args=[number, first]))
    return redirect(reverse("transcripts:lines", args=[number, first, last]))
