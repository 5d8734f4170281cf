"""Staff administration. Status and number are read-only; state changes call the named actions.

A clip's transcript (speakers, lines, references) is shown here read-only: it is written only by the
named actions, through the editor, so that versions and the corrections workflow apply.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from . import actions
from .models import Channel, Clip, ClipReference, Person, PersonAlias, Topic


def _run(modeladmin, request, queryset, action, verb: str, **kwargs) -> None:
    done = 0
    for obj in queryset:
        try:
            action(obj, user=request.user, **kwargs)
            done += 1
        except (PermissionDenied, ValidationError) as exc:
            modeladmin.message_user(
                request, f"{obj}: {'; '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
            )
    if done:
        modeladmin.message_user(request, f"{verb} {done} clip{'s' if done != 1 else ''}.", messages.SUCCESS)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, help_text="Shown to readers at the clip's address.")


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=Person.objects.none(), widget=forms.RadioSelect, empty_label=None)


class ShownOnly:
    """An inline that shows its rows and saves nothing.

    A clip's speakers, lines and references change only through the named actions (the editor at
    /staff/clips/id:N/edit/), which check a line's version and, on a published clip, hold the change
    in a pending revision until a publisher publishes it as a correction. Saved from here, a change
    went live at once, unversioned, and a stale autosave could then overwrite it.
    """

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReferenceInline(ShownOnly, admin.TabularInline):
    model = ClipReference
    fields = ["number", "publisher", "text", "person"]


@admin.register(Clip)
class ClipAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "status", "channel", "aired_on", "duration_display", "origin"]
    list_filter = ["status", "origin", "channel", "topics"]
    search_fields = ["title", "summary", "=number"]
    readonly_fields = [
        "transcript",
        "number",
        "status",
        "origin",
        "slug",
        "page_date",
        "published_at",
        "withdrawn_at",
        "withdrawn_reason",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["channel", "topics", "people"]
    inlines = [ReferenceInline]  # transcripts/admin.py adds the clip's speakers and lines
    actions = ["submit_for_review", "return_to_draft", "publish", "withdraw"]

    @admin.display(description="Transcript")
    def transcript(self, obj):
        if obj is None or obj.pk is None:
            return "Lines, speakers and references are edited in the editor once the clip is saved."
        return format_html(
            '<a href="{}">Edit the lines, speakers and corrections in the editor</a>',
            reverse("transcripts:editor", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in ("title", "summary", "aired_on", "duration_ms", "channel")
            if name in form.cleaned_data
        }
        if change:
            actions.update_clip(obj, user=request.user, **fields)
        else:
            created = actions.create_clip(user=request.user, **fields)
            obj.pk = created.pk
            obj._state.adding = False
            obj.refresh_from_db()

    @admin.action(description="Send to review", permissions=["submit"])
    def submit_for_review(self, request, queryset):
        _run(self, request, queryset, actions.submit_for_review, "Sent to review")

    @admin.action(description="Return to draft", permissions=["submit"])
    def return_to_draft(self, request, queryset):
        _run(self, request, queryset, actions.return_to_draft, "Returned to draft")

    @admin.action(description="Publish", permissions=["publish"])
    def publish(self, request, queryset):
        _run(self, request, queryset, actions.publish_clip, "Published")

    @admin.action(description="Withdraw with a reason", permissions=["withdraw"])
    def withdraw(self, request, queryset):
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            _run(
                self, request, queryset, actions.withdraw_clip, "Withdrew", reason=form.cleaned_data["reason"]
            )
            return None
        return TemplateResponse(
            request,
            "admin/clipdesk/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": "Withdraw clips",
                "objects": queryset,
                "form": form,
                "action": "withdraw",
                "opts": self.model._meta,
            },
        )

    def has_submit_permission(self, request):
        return request.user.has_perm("archive.submit_clip")

    def has_publish_permission(self, request):
        return request.user.has_perm("archive.publish_clip")

    def has_withdraw_permission(self, request):
        return request.user.has_perm("archive.withdraw_clip")


@admin.register(Channel)
class ChannelAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country", "affiliation", "language"]
    search_fields = ["name", "country", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class AliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline]
    actions = ["merge"]

    @admin.action(description="Merge the selected records into one", permissions=["merge"])
    def merge(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, "Select at least two records to merge.", messages.ERROR)
            return None
        form = MergeForm(request.POST if "keep" in request.POST else None)
        form.fields["keep"].queryset = queryset
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            for other in queryset.exclude(pk=keep.pk):
                actions.merge_people(keep, other, user=request.user)
            self.message_user(request, f"Merged into {keep}.", messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/clipdesk/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge records: which one stays?",
                "objects": queryset,
                "form": form,
                "action": "merge",
                "opts": self.model._meta,
            },
        )

    def has_merge_permission(self, request):
        return request.user.has_perm("archive.change_person") and request.user.has_perm(
            "archive.delete_person"
        )
