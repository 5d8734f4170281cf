"""Media in the admin: shown, never stored. Files enter only through the paths that probe their content
(ingest, the editor's upload: clipdesk.media.actions.attach_media), so the file, its types, its poster
and its clip are read-only here; only the free-text source may be corrected."""

from django.contrib import admin

from .models import MediaAsset


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = ["clip", "mime_type", "duration_ms", "sha256", "uploaded_by", "created_at"]
    fields = [
        "clip",
        "file",
        "mime_type",
        "probed_type",
        "duration_ms",
        "poster",
        "sha256",
        "source",
        "uploaded_by",
        "created_at",
    ]
    readonly_fields = [name for name in fields if name != "source"]
    search_fields = ["sha256", "source"]

    def has_add_permission(self, request):
        return False
