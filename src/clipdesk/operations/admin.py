"""Erasures in the staff admin: the record of every erasure (read-only). The admin action that erases a
person's data on request, offered on the lists of requests, reports, donations and subscribers, is
clipdesk.privacy.admin.EraseOnRequest."""

from django.contrib import admin

from .models import Erasure


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    list_display = ["at", "reason", "by", "summary"]
    list_filter = ["reason"]
    list_select_related = ["by"]
    date_hierarchy = "at"
    readonly_fields = ["at", "reason", "by", "counts"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
