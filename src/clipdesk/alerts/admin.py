"""Staff administration of the live transcription, the watchlists and their alerts.

Watchlists follow the role matrix as their pages do: a monitor sees and changes only their own (those
who oversee watchlists, the admin role, every monitor's); a term added here is checked as on the
watchlist's page. Alerts are read-only: they are written by the matcher alone.
"""

from django import forms
from django.contrib import admin

from . import actions
from .models import OVERSEE, Alert, LiveChannel, NotTranscribed, Watchlist, WatchTerm


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


class WatchTermAdminForm(forms.ModelForm):
    class Meta:
        model = WatchTerm
        fields = ("kind", "value", "person")

    def clean(self):
        data = super().clean()
        if self.errors or data.get("DELETE"):
            return data
        # The same checks as the watchlist's page: empty, not a valid search, too broad.
        kind, person = data.get("kind", ""), data.get("person")
        actions.check_term(kind, data.get("value") or "", person=person)
        if kind == WatchTerm.Kind.NAME and person is not None:
            data["value"] = person.name  # as add_watch_term stores it
        else:
            data["value"], data["person"] = (data.get("value") or "").strip(), None
        return data


class WatchlistPart:
    """A part of a watchlist edited with it: needs the watchlist's permissions, not a model's own."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("alerts.view_watchlist")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("alerts.change_watchlist")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("alerts.change_watchlist")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("alerts.change_watchlist")


class WatchTermInline(WatchlistPart, admin.TabularInline):
    model = WatchTerm
    form = WatchTermAdminForm
    extra = 1
    raw_id_fields = ("person",)


class ChannelInline(WatchlistPart, admin.TabularInline):
    model = Watchlist.sources.through
    extra = 1
    verbose_name = "channel"
    verbose_name_plural = "channels (none: every recorded channel)"


@admin.register(Watchlist)
class WatchlistAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "active", "email", "email_minutes", "last_emailed_at")
    list_filter = ("active",)
    search_fields = ("name", "owner__username")
    fields = ("name", "owner", "active", "email", "email_minutes", "last_emailed_at")
    readonly_fields = ("last_emailed_at",)
    raw_id_fields = ("owner",)
    inlines = (WatchTermInline, ChannelInline)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("owner")

    def get_fields(self, request, obj=None):
        # Only those who oversee watchlists choose an owner; a monitor's are their own.
        fields = super().get_fields(request, obj)
        return fields if request.user.has_perm(OVERSEE) else [f for f in fields if f != "owner"]

    def save_model(self, request, obj, form, change):
        if obj.owner_id is None:  # made by a monitor, who chooses no owner
            obj.owner = request.user
        super().save_model(request, obj, form, change)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("air_time", "matched", "watchlist", "source", "language", "created_at")
    list_filter = (
        ("watchlist", admin.RelatedOnlyFieldListFilter),
        ("source", admin.RelatedOnlyFieldListFilter),
    )
    date_hierarchy = "air_time"
    search_fields = ("matched", "text", "english")
    list_select_related = ("watchlist", "source__channel")
    fields = (
        "watchlist",
        "term",
        "matched",
        "source",
        "air_time",
        "line_start",
        "language",
        "text",
        "english",
        "email",
        "created_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False  # alerts are raised by the matcher only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # they go with their watchlist
