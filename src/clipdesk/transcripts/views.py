"""Public transcript downloads, line permalinks, and the archive's corrections."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from clipdesk.archive.citation import Citation, format_time
from clipdesk.archive.models import Clip

from . import export
from .corrections import changes, published_corrections


def _clip_for(request, number: int | None = None, pk: int | None = None) -> Clip | HttpResponse:
    lookup = {"number": number} if number is not None else {"pk": pk}
    clip = get_object_or_404(Clip.objects.select_related("channel"), **lookup)
    if clip.status == Clip.Status.WITHDRAWN:
        return render(request, "archive/clip_withdrawn.html", {"clip": clip}, status=410)
    if not Clip.objects.visible_to(request.user).filter(pk=clip.pk).exists():
        raise Http404("No such clip.")
    return clip


def _text(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # captions and transcripts are public data
    return response


@require_GET
def clip_json(request, number: int):
    clip = _clip_for(request, number)
    if isinstance(clip, HttpResponse):
        return clip
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
def transcript_txt(request, number: int):
    clip = _clip_for(request, number)
    if isinstance(clip, HttpResponse):
        return clip
    return _text(export.to_text(clip), "text/plain", f"clip-{number}.txt")


@require_GET
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


@require_GET
def line_permalink(request, number: int, line: int):
    """One line, quoted, with its citation and a link that plays it."""
    clip = _clip_for(request, number)
    if isinstance(clip, HttpResponse):
        return clip
    segment = get_object_or_404(clip.segments.select_related("speaker", "clip__channel"), position=line - 1)
    citation = Citation.for_segment(segment)
    context = {"clip": clip, "segment": segment, "citation": citation, "at": format_time(segment.start_ms)}
    return render(request, "transcripts/line.html", context)


@require_GET
def corrections(request):
    """Every published correction across the archive, newest first, each with its word-level changes."""
    page = Paginator(published_corrections(), settings.CLIPDESK_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [(revision, changes(revision)) for revision in page.object_list]
    return render(request, "transcripts/corrections.html", {"page": page, "entries": entries})
