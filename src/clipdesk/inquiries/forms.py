"""The public request form and the desk's small forms. Validation lives here; writes go to actions."""

import datetime as dt

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from clipdesk.archive.models import Clip

from .models import Inquiry, TranslationReport

DETAILS_MIN, DETAILS_MAX = 20, 5000
DEADLINE_HORIZON = dt.timedelta(days=2 * 365)


class HoneypotMixin(forms.Form):
    """A field people never see (it sits in a `hidden` block) and simple bots fill in."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class RequestForm(HoneypotMixin):
    category = forms.ChoiceField(
        label="You are from", choices=Inquiry.Category.choices, widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(label="You would like", choices=Inquiry.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label="Your name", min_length=2, max_length=200)
    organisation = forms.CharField(
        max_length=200,
        required=False,
        help_text="Required for media, government and academia.",
    )
    email = forms.EmailField(label="Email address", max_length=254, help_text="We answer here.")
    deadline = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. The date by which you need an answer.",
    )
    details = forms.CharField(
        min_length=DETAILS_MIN,
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What you need: the event, the speaker, the channel, dates, languages, and what it is for.",
    )

    field_order = ["category", "kind", "name", "organisation", "email", "deadline", "details", "website"]

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        today = timezone.localdate()
        if deadline and deadline < today:
            raise forms.ValidationError("The deadline has passed. Choose today or a later date.")
        if deadline and deadline > today + DEADLINE_HORIZON:
            raise forms.ValidationError("Choose a deadline within the next two years.")
        return deadline

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("category") in {"media", "government", "academia"}
            and not cleaned.get("organisation", "").strip()
        ):
            self.add_error("organisation", "Name your organisation.")
        return cleaned


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, label="Assign to")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="New status")
    message = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Message to the requester",
        help_text="Emailed with the change of status and shown on their status page.",
    )

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        # "Assigned" is reached by assigning someone, not from this list.
        self.fields["status"].choices = [
            (s, Inquiry.Status(s).label) for s in inquiry.next_statuses if s != Inquiry.Status.ASSIGNED
        ]


class ResultForm(forms.Form):
    clip = forms.CharField(
        required=False, label="Resulting clip", help_text="Its number (8891) or id:N for an unpublished one."
    )
    url = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=500,
        label="Resulting report (URL)",
        validators=[URLValidator(schemes=["http", "https"])],
    )

    def clean_clip(self) -> Clip | None:
        reference = self.cleaned_data["clip"].strip()
        if not reference:
            return None
        try:
            return Clip.objects.get_by_reference(reference)
        except Clip.DoesNotExist as exc:
            raise forms.ValidationError(str(exc)) from None


class NoteForm(forms.Form):
    text = forms.CharField(label="Internal note", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ReportCloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (TranslationReport.Status.CORRECTED, "Corrected"),
            (TranslationReport.Status.DISMISSED, "Dismissed"),
        ],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Message to the reporter",
        help_text="Sent only if the reader left an email address.",
    )
