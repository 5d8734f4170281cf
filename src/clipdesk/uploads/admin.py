from django.contrib import admin

from .models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    """Read-only: uploads are written by the tus endpoint and deleted when done or expired."""

    list_display = ("id", "filename", "owner", "offset", "length", "expires_at", "completed_at")
    readonly_fields = [f.name for f in Upload._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
