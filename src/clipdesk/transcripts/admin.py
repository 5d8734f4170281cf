"""A clip's speakers and lines in the staff admin, shown on the archive's clip page (read-only).

The archive registers the clip's admin without knowing about transcripts; this module, loaded after it
(INSTALLED_APPS lists archive first), registers it again with the transcript's inlines added.
"""

from django.contrib import admin

from clipdesk.archive.admin import ClipAdmin, ShownOnly
from clipdesk.archive.models import Clip

from .models import Segment, Speaker


class SpeakerInline(ShownOnly, admin.TabularInline):
    model = Speaker
    fields = ["position", "label", "person", "role"]


class SegmentInline(ShownOnly, admin.TabularInline):
    model = Segment
    fields = [
        "position",
        "speaker",
        "start_ms",
        "end_ms",
        "original_text",
        "english_text",
        "english_origin",
        "version",
    ]


class ClipWithTranscriptAdmin(ClipAdmin):
    inlines = [SpeakerInline, SegmentInline, *ClipAdmin.inlines]


admin.site.unregister(Clip)
admin.site.register(Clip, ClipWithTranscriptAdmin)
