from django.contrib import admin

from .models import LiveChannel, NotTranscribed


@admin.register(LiveChannel)
class LiveChannelAdmin(admin.ModelAdmin):
    list_display = ("source", "enabled", "priority", "english", "watermark", "lag_seconds", "lagging_since")
    list_editable = ("enabled", "priority", "english")
    fields = (
        "source",
        "enabled",
        "priority",
        "english",
        "watermark",
        "lag_seconds",
        "lagging_since",
        "last_error",
    )
    readonly_fields = ("source", "watermark", "lag_seconds", "lagging_since", "last_error")

    def has_add_permission(self, request):
        return False  # every recorded channel has one, made by the live transcription


@admin.register(NotTranscribed)
class NotTranscribedAdmin(admin.ModelAdmin):
    list_display = ("source", "start", "end", "status", "reason")
    list_filter = ("status",)
    readonly_fields = ("source", "start", "end", "reason", "attempts", "status")
