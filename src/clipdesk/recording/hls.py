"""HLS playlists that clipdesk writes for any span of a recording, from its stored segments.

A VOD playlist: every segment with its program date-time, and a discontinuity wherever one does not
follow the one before (a gap), so a player jumps the gap instead of stalling in it.
"""

import datetime as dt
import math

from django.urls import reverse

from .actions import JOIN_TOLERANCE


def playlist(segments) -> str:
    longest = max((s.duration_ms for s in segments), default=6000) / 1000
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXT-X-TARGETDURATION:{max(1, math.ceil(longest))}",
        "#EXT-X-MEDIA-SEQUENCE:0",
    ]
    previous = None
    for segment in segments:
        if previous is not None and abs(segment.start - previous.end) > JOIN_TOLERANCE:
            lines.append("#EXT-X-DISCONTINUITY")
        aired = segment.start.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        lines += [
            f"#EXT-X-PROGRAM-DATE-TIME:{aired}",
            f"#EXTINF:{segment.duration_ms / 1000:.3f},",
            reverse("recording:segment", args=[segment.pk]),
        ]
        previous = segment
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"
