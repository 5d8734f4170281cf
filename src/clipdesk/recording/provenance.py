"""Where a clip cut from a recording came from, for readers to check: its channel, its air time in
UTC and in the channel's zone, the SHA-256 of the segments it was cut from and the cut's offsets."""

from .models import ClipSource


def provenance(clip) -> dict | None:
    """The clip's recording span as JSON-ready data, or None for a clip not cut from a recording."""
    span = (
        ClipSource.objects.filter(job__clip_id=clip.pk)
        .select_related("source__channel")
        .order_by("-pk")
        .first()
    )
    if span is None:
        return None
    zone = span.source.zone
    return {
        "channel": span.source.channel.name,
        "time_zone": span.source.time_zone,
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "start_local": span.start.astimezone(zone).isoformat(),
        "end_local": span.end.astimezone(zone).isoformat(),
        "offset_ms": span.offset_ms,
        "duration_ms": round((span.end - span.start).total_seconds() * 1000),
        "segments": [{"sha256": s["sha256"], "start": s["start"], "end": s["end"]} for s in span.segments],
    }
