"""Public transcript downloads and line permalinks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from clipdesk.archive.citation import Citation, format_time
from clipdesk.archive.models import Clip

from . import export


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
    response = JsonResponse(
        export.clip_document(clip), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
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


@require_POST
def report_line(request, number: int, line: int):
    """A reader's "Report a translation error" on one line; it joins the staff desk's queue."""
    from clipdesk.inquiries.actions import report_translation_error
    from clipdesk.ratelimits import RateLimited, client_ip

    clip = get_object_or_404(Clip.objects.published(), number=number)
    segment = get_object_or_404(clip.segments, position=line - 1)
    back = f"{clip.get_absolute_url()}#line-{line}"
    # Shown in that line of the page (the reader is there, not at the top), by its tag.
    where = f"line-{line}"
    if request.POST.get("website"):  # the honeypot: people never see it, simple bots fill it in
        messages.success(request, "Thank you: your report was sent to the desk.", extra_tags=where)
        return redirect(back)
    try:
        report_translation_error(
            segment, request.POST.get("note", ""), request.POST.get("email") or None, ip=client_ip(request)
        )
    except RateLimited as exc:
        messages.error(request, str(exc), extra_tags=where)
    except ValidationError as exc:
        messages.error(request, "Your report was not sent: " + "; ".join(exc.messages), extra_tags=where)
    else:
        messages.success(request, "Thank you: your report was sent to the desk.", extra_tags=where)
    return redirect(back)
