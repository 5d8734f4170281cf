"""`{% channels_down %}`: the recorded channels down now, for the worklist."""

from django import template

from clipdesk.recording.models import ChannelSource

register = template.Library()


@register.inclusion_tag("recording/_down.html")
def channels_down():
    return {"down": ChannelSource.objects.down().select_related("channel").with_open_gap()}


@register.inclusion_tag("recording/_provenance.html")
def clip_provenance(clip):
    from clipdesk.recording.provenance import provenance

    return {"provenance": provenance(clip)}
