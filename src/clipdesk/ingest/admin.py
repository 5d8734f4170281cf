from django.contrib import admin

from .models import IngestJob


@admin.register(IngestJob)
class IngestJobAdmin(admin.ModelAdmin):
    """Read-only: jobs change through their actions (the staff ingest pages, the CLI, the workers)."""

    list_display = ["pk", "original_name", "channel", "status", "stage", "attempts", "created_at", "clip"]
    list_filter = ["status", "translate"]
    search_fields = ["original_name", "original_sha256", "source"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
