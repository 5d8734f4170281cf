"""The live transcript on the recording's staff pages and the worklist:

`{% live_lag source %}`: how far the channel's transcript is behind the air;
`{% live_transcript source start end %}`: its running transcript over a span (the timeline);
`{% live_lags %}`: every channel's lag, for the worklist.
"""

from django import template
from django.conf import settings

from clipdesk.alerts.models import LiveChannel, LiveLine, NotTranscribed

register = template.Library()


def _state(live: LiveChannel | None) -> dict:
    threshold = float(settings.CLIPDESK_LIVE_LAG_ALERT_SECONDS)
    return {
        "live": live,
        "threshold": threshold,
        "lagging": live is not None and live.lagging_since is not None,
    }


@register.inclusion_tag("alerts/_lag.html")
def live_lag(source):
    return _state(LiveChannel.objects.filter(source=source).first())


@register.inclusion_tag("alerts/_lags.html")
def live_lags():
    channels = list(LiveChannel.objects.enabled().select_related("source__channel"))
    return {
        "channels": channels,
        "lagging": [c for c in channels if c.lagging_since is not None],
        "threshold": float(settings.CLIPDESK_LIVE_LAG_ALERT_SECONDS),
    }


@register.inclusion_tag("alerts/_transcript.html", takes_context=True)
def live_transcript(context, source, start, end):
    request = context.get("request")
    user = getattr(request, "user", None)
    readable = user is not None and user.has_perm("alerts.view_liveline")
    lines = LiveLine.objects.for_source(source).between(start, end).order_by("start")
    spans = NotTranscribed.objects.filter(source=source).open().overlapping(start, end).order_by("start")
    if not readable:  # the live transcript is for the roles that watch the air
        lines, spans = LiveLine.objects.none(), NotTranscribed.objects.none()
    return {
        "readable": readable,
        **_state(LiveChannel.objects.filter(source=source).first()),
        "source": source,
        "lines": lines,
        "spans": spans,
        "zone": source.zone,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "can_retry": user is not None and user.has_perm("alerts.change_nottranscribed"),
    }
