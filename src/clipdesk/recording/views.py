"""Staff pages of the recordings: the channels, a channel's coverage, its timeline, and clips cut from it.

Raw recordings are for staff only. The timeline plays an HLS playlist that clipdesk writes for any
span, of the stored segments, each served with Range support.
"""

import datetime as dt

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from clipdesk.accounts.decorators import staff_required

from .coverage import PERIODS, coverage, today
from .models import ChannelSource
from .retention import free_bytes


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
