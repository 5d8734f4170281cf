"""Staff pages of the recordings: the channels, a channel's coverage, its timeline, and clips cut from it.

Raw recordings are for staff only: the timeline, what it plays and clips cut from it need the
permission to view segments, which the roles that watch the air hold (accounts.roles). The timeline plays an HLS playlist that clipdesk writes for any
span, of the stored segments, each served with Range support.
"""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clipdesk.accounts.decorators import staff_permission_required, staff_required
from clipdesk.media.streams import StoredStream
from clipdesk.media.views import _requested_range, _Slice  # the media app's Range handling, shared

from . import actions, hls
from .coverage import PERIODS, coverage, today
from .models import ChannelSource, Gap, Segment
from .retention import free_bytes


def ranged_response(request, storage, name: str, content_type: str):
    """A stored file, whole or the byte range asked for, as the media app serves clips' media."""
    try:
        stream = StoredStream(storage, name)
    except FileNotFoundError:
        raise Http404("The segment is no longer stored.") from None
    size = stream.size
    wanted = _requested_range(request.headers.get("Range", ""), size)
    first, last = wanted or (0, size - 1)
    if wanted and (first >= size or first > last):
        stream.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    response = StreamingHttpResponse(
        _Slice(stream, first, last), status=206 if wanted else 200, content_type=content_type
    )
    if wanted:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    return response


# Raw recordings (the timeline, what it plays, clips cut from it) are for the roles that watch the air.
RECORDINGS = "recording.view_segment"


def _source(slug: str) -> ChannelSource:
    return get_object_or_404(ChannelSource.objects.select_related("channel"), channel__slug=slug)


def _day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        raise Http404("The date is YYYY-MM-DD.") from None


@staff_required
@require_GET
def channel_list(request):
    sources = ChannelSource.objects.select_related("channel", "lease").with_storage().with_open_gap()
    floor = int(settings.CLIPDESK_RECORDING_MIN_FREE_GB * 1e9)
    free = free_bytes()
    context = {
        "sources": sources,
        "free": free,
        "floor": floor,
        "space_low": free is not None and free < floor,
    }
    return render(request, "recording/channels.html", context)


@staff_required
@require_GET
def coverage_page(request, slug: str):
    source = _source(slug)
    period = request.GET.get("period", "day")
    if period not in PERIODS:
        period = "day"
    first = _day(request.GET.get("date"), today(source) - dt.timedelta(days=PERIODS[period] - 1))
    found = coverage(source, first, period)
    context = {
        "source": source,
        "found": found,
        "period": period,
        "periods": list(PERIODS),
        "earlier": first - dt.timedelta(days=PERIODS[period]),
        "later": first + dt.timedelta(days=PERIODS[period]),
        "hours": range(24),
        "open_gap": source.gaps.filter(end__isnull=True).first(),
    }
    return render(request, "recording/coverage.html", context)


def _moment(value: str | None) -> dt.datetime | None:
    """An ISO 8601 time; one without a zone is UTC."""
    try:
        moment = dt.datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _hour(request, source: ChannelSource) -> tuple[dt.datetime, dt.datetime]:
    """The local hour the timeline shows (?date=YYYY-MM-DD&hour=H, or the hour of ?t=, an ISO 8601
    moment to play from), as UTC times; default: the last hour."""
    moment = _moment(request.GET.get("t")) if request.GET.get("t") else None
    if moment is not None:
        local = moment.astimezone(source.zone).replace(minute=0, second=0, microsecond=0)
        return local.astimezone(dt.UTC), (local + dt.timedelta(hours=1)).astimezone(dt.UTC)
    now = timezone.now().astimezone(source.zone)
    day = _day(request.GET.get("date"), now.date())
    hour = request.GET.get("hour", "")
    hour = int(hour) if hour.isascii() and hour.isdigit() and int(hour) < 24 else now.hour
    start = dt.datetime.combine(day, dt.time(hour), source.zone).astimezone(dt.UTC)
    return start, start + dt.timedelta(hours=1)


@staff_permission_required(RECORDINGS)
@require_GET
def timeline(request, slug: str):
    source = _source(slug)
    start, end = _hour(request, source)
    segments = list(Segment.objects.filter(source=source).overlapping(start, end).order_by("start"))
    local = start.astimezone(source.zone)
    # ?t= plays from that moment; ?in= and ?out= fill the cut form (an alert's "make a clip here").
    seek = _moment(request.GET.get("t")) if request.GET.get("t") else None
    cut_in, cut_out = (_moment(request.GET.get(k)) if request.GET.get(k) else None for k in ("in", "out"))
    context = {
        "seek": seek.astimezone(dt.UTC).isoformat() if seek and start <= seek < end else "",
        "cut_in": cut_in.astimezone(dt.UTC).isoformat() if cut_in else "",
        "cut_out": cut_out.astimezone(dt.UTC).isoformat() if cut_out else "",
        "source": source,
        "start": start,
        "end": end,
        "local": local,
        "hours": range(24),
        "earlier": (local - dt.timedelta(hours=1)),
        "later": (local + dt.timedelta(hours=1)),
        "segments": segments,
        "gaps": Gap.objects.filter(source=source, start__lt=end).exclude(end__lt=start).order_by("start"),
        "timeline": [{"start": s.start.isoformat(), "seconds": s.duration_ms / 1000} for s in segments],
        "playlist": f"{reverse('recording:playlist', args=[slug])}?{urlencode({'start': start.isoformat(), 'end': end.isoformat()})}",
        "can_cut": request.user.has_perm("media.add_mediaasset")
        and request.user.has_perm("archive.add_clip"),
    }
    return render(request, "recording/timeline.html", context)


@staff_permission_required(RECORDINGS)
@require_GET
def playlist(request, slug: str):
    """An HLS playlist (VOD) of the stored segments that overlap ?start= to ?end= (ISO 8601)."""
    source = _source(slug)
    start, end = _moment(request.GET.get("start")), _moment(request.GET.get("end"))
    if start is None or end is None or end <= start or end - start > dt.timedelta(days=1):
        return HttpResponseBadRequest(
            "start and end are ISO 8601 times, at most a day apart.", content_type="text/plain"
        )
    segments = Segment.objects.filter(source=source).overlapping(start, end).order_by("start")
    return HttpResponse(hls.playlist(list(segments)), content_type="application/vnd.apple.mpegurl")


@staff_permission_required(RECORDINGS)
@require_http_methods(["GET", "HEAD"])
def segment_file(request, pk: int):
    """A stored segment, with Range support (raw recordings are staff-only)."""
    segment = get_object_or_404(Segment, pk=pk)
    return ranged_response(request, segment.file.storage, segment.file.name, "video/mp2t")


@staff_permission_required(RECORDINGS)
@require_POST
def cut(request, slug: str):
    source = _source(slug)
    start, end = _moment(request.POST.get("start")), _moment(request.POST.get("end"))
    back = f"{reverse('recording:timeline', args=[slug])}?{request.POST.get('back', '')}"
    if start is None or end is None:
        messages.error(request, "Set an in point and an out point first.")
        return redirect(back)
    try:
        job = actions.cut_clip(
            source,
            user=request.user,
            start=start,
            end=end,
            title=request.POST.get("title", "")[:500],
            publish_context=request.POST.get("context") == "on",
            transcribe_again=request.POST.get("transcribe_again") == "on",
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(back)
    messages.success(request, "The clip is being made: it becomes a draft when the job is done.")
    return redirect("ingest:job", job.pk)
