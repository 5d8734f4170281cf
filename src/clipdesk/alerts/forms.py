"""Forms of the alerts pages: they read and check what was typed; the actions write."""

from django import forms

from clipdesk.archive.models import Person
from clipdesk.recording.models import ChannelSource
from clipdesk.search.querylang import language_code

from .livesearch import SORTS
from .models import WatchTerm


class SourceChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ChannelSource) -> str:
        return obj.channel.name


def _sources():
    return ChannelSource.objects.select_related("channel").order_by("channel__name")


class WatchlistForm(forms.Form):
    name = forms.CharField(max_length=200)
    sources = SourceChoices(
        queryset=_sources(),
        required=False,
        label="Channels",
        help_text="None chosen: every recorded channel.",
        widget=forms.CheckboxSelectMultiple,
    )
    email = forms.EmailField(required=False, help_text="Where alert emails go; empty: no email.")
    email_minutes = forms.IntegerField(
        min_value=1, max_value=24 * 60, initial=15, label="At most one email every (minutes)"
    )
    active = forms.BooleanField(required=False, initial=True)


class WatchTermForm(forms.Form):
    kind = forms.ChoiceField(choices=WatchTerm.Kind.choices, initial=WatchTerm.Kind.TERM)
    value = forms.CharField(
        max_length=500,
        required=False,
        label="Word, phrase or search",
        help_text="A word (English words also match the English draft of lines in other languages), an "
        'exact phrase, or a search such as ceasefire -rumour lang:ar or "Al-Manar" OR Hezbollah.',
    )
    person = forms.ModelChoiceField(
        queryset=Person.objects.order_by("name"),
        required=False,
        help_text="For a person or organisation: their name and every alias.",
    )


class LiveSearchForm(forms.Form):
    q = forms.CharField(max_length=1000, required=False, label="Search")
    channel = SourceChoices(queryset=_sources(), required=False, widget=forms.SelectMultiple)
    lang = forms.CharField(
        max_length=16, required=False, label="Language", help_text="A code such as ar or fa."
    )
    date = forms.DateField(required=False, label="Day (UTC)", widget=forms.DateInput(attrs={"type": "date"}))
    hour = forms.IntegerField(min_value=0, max_value=23, required=False, label="Hour (UTC)")
    sort = forms.ChoiceField(choices=[(s, s.capitalize()) for s in SORTS], required=False)
    page = forms.IntegerField(min_value=1, max_value=1000, required=False)

    def clean_lang(self) -> str:
        value = self.cleaned_data["lang"].strip()
        if not value:
            return ""
        code = language_code(value)
        if code is None:
            raise forms.ValidationError("Give a language code such as ar or fa, or a name such as Arabic.")
        return code
