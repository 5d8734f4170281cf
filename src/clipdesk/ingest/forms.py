from django import forms

from . import conf
from .models import IngestJob
from .validation import BadOptions, parse_time, whisper_language


def language_options() -> list[tuple[str, str]]:
    """The spoken languages the page offers to choose from, with their English names: `auto` and every
    language the speech model knows (its codes; the name from Django's table where it has one)."""
    from django.conf.locale import LANG_INFO
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    named = [(code, LANG_INFO.get(code, {}).get("name", code)) for code in _LANGUAGE_CODES]
    return [("auto", "Identify it"), *sorted(named, key=lambda option: option[1])]


class TimeField(forms.CharField):
    """A time in a recording: seconds, or [h:]mm:ss. Cleans to seconds (None when empty)."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_time(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class IngestForm(forms.Form):
    file = forms.FileField(required=False, help_text="Audio or video, checked by its content.")
    # Set by the page's uploader (ingest-upload.js): the file went ahead in parts, resumably.
    upload = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    title = forms.CharField(
        max_length=500, required=False, help_text="Leave empty to name it after the file."
    )
    channel = forms.CharField(max_length=200, required=False, help_text="A new name creates the channel.")
    aired_on = forms.DateField(
        required=False, label="Air date", widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.CharField(
        max_length=35,
        initial="auto",
        help_text="auto, or the BCP 47 code of the spoken language (ar, fa, tr...).",
    )
    start = TimeField(max_length=20, required=False, label="Cut from", help_text="Seconds, or [h:]mm:ss.")
    end = TimeField(max_length=20, required=False, label="Cut to", help_text="Seconds, or [h:]mm:ss.")
    translate = forms.ChoiceField(choices=IngestJob.Translate.choices, label="English draft")
    speakers = forms.ChoiceField(choices=IngestJob.Speakers.choices, initial=IngestJob.Speakers.AUTO)
    source = forms.CharField(max_length=500, required=False, help_text="Where the recording came from.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["translate"].initial = conf.get("CLIPDESK_DEFAULT_TRANSLATE")
        self.fields["channel"].widget.attrs["list"] = "ingest-channels"
        self.fields["language"].widget.attrs["list"] = "ingest-languages"

    def clean_language(self):
        language = (self.cleaned_data.get("language") or "auto").strip()
        try:
            whisper_language(language)
        except BadOptions as exc:
            raise forms.ValidationError(exc.messages) from None
        return language

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end <= start:
            self.add_error("end", "The cut must end after it starts.")
        if not data.get("file") and not data.get("upload") and "file" not in self.errors:
            self.add_error("file", "Choose the recording to ingest.")
        return data

    def option_errors(self) -> dict[str, list[str]]:
        """The errors in everything but the recording: what the page checks before the file uploads."""
        return {name: list(errors) for name, errors in self.errors.items() if name != "file"}
