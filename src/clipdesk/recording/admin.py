from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import actions
from .models import ChannelSource, Gap, Segment


class ChannelSourceForm(forms.ModelForm):
    class Meta:
        model = ChannelSource
        fields = ["channel", "kind", "url", "time_zone", "paused"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            fields = {name: cleaned.get(name) for name in ("kind", "url", "time_zone")}
            try:
                actions.check_source(ChannelSource(**fields))
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return cleaned


@admin.register(ChannelSource)
class ChannelSourceAdmin(admin.ModelAdmin):
    """Sources are set here or with `clipdesk channel`; both go through the recording actions."""

    form = ChannelSourceForm
    list_display = ["channel", "kind", "url", "paused", "status", "status_at"]
    list_filter = ["kind", "paused", "status"]
    search_fields = ["channel__name", "url"]
    readonly_fields = ["status", "status_detail", "status_at"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("kind", "url", "time_zone", "paused")}
        if change:  # the channel is read-only once set
            saved = actions.change_source(obj, user=request.user, **fields)
        else:
            saved = actions.add_source(user=request.user, channel=form.cleaned_data["channel"], **fields)
        obj.pk = saved.pk

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "channel"] if obj else self.readonly_fields


class _ReadOnly(admin.ModelAdmin):
    """Written by the recorder only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Segment)
class SegmentAdmin(_ReadOnly):
    list_display = ["source", "start", "end", "duration_ms", "size", "sha256"]
    list_filter = ["source"]
    date_hierarchy = "start"


@admin.register(Gap)
class GapAdmin(_ReadOnly):
    list_display = ["source", "start", "end", "reason", "detail"]
    list_filter = ["source", "reason"]
    date_hierarchy = "start"
