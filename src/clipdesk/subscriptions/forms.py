"""The subscribe form and the preferences form. Choices are named by slug, so links can preselect them:
/subscribe/?topic=hizbullah&person=ibrahim-al-amine&channel=al-manar-tv&q=ceasefire"""

from django import forms

from clipdesk.archive.models import Channel, Person, Topic

from .models import Frequency

NOTHING_CHOSEN = "Choose at least one topic, person, organisation, channel or search to follow."


def _choices(queryset, label: str) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        to_field_name="slug",
        required=False,
        label=label,
        widget=forms.CheckboxSelectMultiple,
    )


class FollowForm(forms.Form):
    """What to follow and how often: shared by the subscribe form and the preferences page."""

    frequency = forms.ChoiceField(
        choices=Frequency.choices, initial=Frequency.DAILY, widget=forms.RadioSelect, label="How often"
    )
    # Only what published clips use: a name that only a clip in preparation carries stays unpublished.
    topics = _choices(Topic.objects.public(), "Topics")
    people = _choices(Person.objects.public().filter(kind=Person.Kind.PERSON), "People")
    organisations = _choices(Person.objects.public().filter(kind=Person.Kind.ORGANISATION), "Organisations")
    channels = _choices(Channel.objects.public(), "Channels")
    query = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        help_text="Get new results for a search, e.g. ceasefire Gaza.",
    )

    def clean_query(self) -> str:
        return " ".join(self.cleaned_data["query"].split())

    def clean(self):
        data = super().clean()
        chosen = ("topics", "people", "organisations", "channels", "query", "searches")
        if not any(data.get(name) for name in chosen):
            raise forms.ValidationError(NOTHING_CHOSEN, code="nothing_chosen")
        return data

    @property
    def choice_fields(self) -> list:
        """The bound checkbox lists that have something to choose from."""
        names = ("topics", "people", "organisations", "channels", "searches")
        return [self[name] for name in names if name in self.fields and len(self.fields[name].choices)]

    def follows(self) -> dict:
        """Keyword arguments for the actions."""
        data = self.cleaned_data
        return {
            "frequency": data["frequency"],
            "topics": list(data["topics"]),
            "people": [*data["people"], *data["organisations"]],
            "channels": list(data["channels"]),
            "queries": [data["query"]] if data["query"] else [],
        }

    @staticmethod
    def initial_from_query(params) -> dict:
        """Preselect from ?topic=slug&person=slug&channel=slug&q=words&frequency=weekly."""
        people = Person.objects.public().filter(slug__in=params.getlist("person"))
        initial = {
            "topics": list(Topic.objects.public().filter(slug__in=params.getlist("topic"))),
            "people": [p for p in people if p.kind == Person.Kind.PERSON],
            "organisations": [p for p in people if p.kind == Person.Kind.ORGANISATION],
            "channels": list(Channel.objects.public().filter(slug__in=params.getlist("channel"))),
            "query": params.get("q", "")[:200],
        }
        if params.get("frequency") in Frequency.values:
            initial["frequency"] = params["frequency"]
        return initial


class SubscribeForm(FollowForm):
    field_order = ["email"]

    email = forms.EmailField(
        max_length=254,
        label="Email address",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a valid email address, like name@example.org.",
        },
    )
    # Hidden from people (the `hidden` attribute, no inline style), filled in by form-filling bots.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class PreferencesForm(FollowForm):
    searches = forms.MultipleChoiceField(
        required=False, label="Saved searches", widget=forms.CheckboxSelectMultiple, choices=()
    )
    field_order = ["frequency", "topics", "people", "organisations", "channels", "searches", "query"]

    def __init__(self, *args, saved_queries: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["searches"].choices = [(q, q) for q in saved_queries]
        self.fields["query"].label = "Add a search"
        if not saved_queries:
            del self.fields["searches"]

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            raise forms.ValidationError(
                f"{NOTHING_CHOSEN} To stop all email, unsubscribe instead.", code="nothing_chosen"
            ) from None

    def follows(self) -> dict:
        follows = super().follows()
        follows["queries"] = [*self.cleaned_data.get("searches", []), *follows["queries"]]
        return follows

    @classmethod
    def for_subscriber(cls, subscriber, data=None) -> "PreferencesForm":
        people = list(subscriber.people.all())
        queries = [s.query for s in subscriber.searches.all()]
        initial = {
            "frequency": subscriber.frequency,
            "topics": list(subscriber.topics.all()),
            "people": [p for p in people if p.kind == Person.Kind.PERSON],
            "organisations": [p for p in people if p.kind == Person.Kind.ORGANISATION],
            "channels": list(subscriber.channels.all()),
            "searches": queries,
        }
        form = cls(data=data, initial=initial, saved_queries=queries)
        # What the subscriber already follows stays on offer even if no published clip uses it now
        # (a clip withdrawn), so that saving the page does not drop it unasked.
        for name in ("topics", "people", "organisations", "channels"):
            field = form.fields[name]
            own = field.queryset.model.objects.filter(pk__in=[item.pk for item in initial[name]])
            field.queryset = (field.queryset | own).distinct()
        return form
