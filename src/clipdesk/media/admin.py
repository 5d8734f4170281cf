from django.contrib import admin

from .models import MediaAsset


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = ["clip", "mime_type", "duration_ms", "sha256", "uploaded_by", "created_at"]
    readonly_fields = ["sha256", "uploaded_by", "created_at"]
    search_fields = ["sha256", "source"]
