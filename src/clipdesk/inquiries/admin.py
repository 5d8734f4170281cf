"""Read-only admin views of requests and reports: they are worked on the desk (/desk/), whose actions
send the emails; the admin offers history, search and erasure of a person's data on request (which
keeps the anonymous record; nothing is deleted here).
"""

from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clipdesk.privacy.admin import EraseOnRequest

from .models import Inquiry, InquiryNote, TranslationReport


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoteInline(ReadOnlyMixin, admin.TabularInline):
    model = InquiryNote
    extra = 0
    fields = ["created_at", "author", "text"]
    readonly_fields = fields


@admin.register(Inquiry)
class InquiryAdmin(EraseOnRequest, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "category", "kind", "status", "assignee", "deadline", "created_at"]
    list_filter = ["status", "category", "kind"]
    search_fields = ["name", "organisation", "details", "=email"]
    readonly_fields = [
        "desk_link",
        "status",
        "assignee",
        "reply",
        "result_clip",
        "result_url",
        "created_at",
        "updated_at",
        "erased_at",
    ]
    inlines = [NoteInline]
    actions = ["erase_people"]

    @admin.display(description="Desk")
    def desk_link(self, obj):
        return format_html('<a href="{}">Work this request on the desk</a>', obj.get_absolute_url())


@admin.register(TranslationReport)
class TranslationReportAdmin(EraseOnRequest, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "clip", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["note", "quoted_english", "=clip__number"]
    readonly_fields = ["desk_link", "status", "reply", "created_at", "updated_at", "erased_at"]
    actions = ["erase_people"]
    email_field = "reporter_email"

    @admin.display(description="Desk")
    def desk_link(self, obj):
        return format_html('<a href="{}">Work this report on the desk</a>', obj.get_absolute_url())
