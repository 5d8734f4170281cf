"""The archive: clips, their channels, topics, people and organisations, and cross-references."""

from django.conf import settings
from django.db import connections, models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import ExtractYear, Substr
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from .addresses import cached_reverse


def make_slug(text: str, max_length: int = 80) -> str:
    """An ASCII slug cut at a word boundary, so URLs stay short and readable."""
    slug = slugify(text)[: max_length + 1]
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "clip"


def format_duration(ms: int | None) -> str:
    """02:33, or 1:02:33 past the hour, as clip pages print it."""
    if ms is None:
        return ""
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def _published_clips():
    return Clip.objects.published()


# What the site shows of a clip and its channel, from plain columns. The models have these through the
# classes below, and so do the light rows the search page reads instead of models (`search.services`),
# so every page prints a reference, a source or a clip's address the same way.


class ChannelDisplay:
    """A channel as the site names it, from its `name` and `country`."""

    name: str
    country: str

    @property
    def source_label(self) -> str:
        """'Al-Manar TV (Lebanon)', the source line of a clip page."""
        return f"{self.name} ({self.country})" if self.country else self.name


class ClipDisplay:
    """A clip as the site shows it, from its `pk`, `number`, `title`, `slug` and `status`."""

    pk: int | None
    number: int | None
    title: str
    slug: str
    status: str

    def get_absolute_url(self) -> str:
        if self.number:
            return cached_reverse("archive:clip", self.number, self.slug or make_slug(self.title))
        return cached_reverse("archive:clip-by-id", self.pk)

    @property
    def reference(self) -> str:
        """'#8891' once numbered, else the internal 'id:N' that staff URLs and the CLI accept."""
        return f"#{self.number}" if self.number else f"id:{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status == Clip.Status.PUBLISHED

    @property
    def status_label(self) -> str:
        """'In review', as `get_status_display()` says it."""
        return Clip.Status(self.status).label


class ChannelQuerySet(models.QuerySet):
    def public(self) -> "ChannelQuerySet":
        """Channels of published clips: the only ones a reader may see named, as the API does."""
        return self.filter(Exists(_published_clips().filter(channel=OuterRef("pk"))))


class Channel(ChannelDisplay, models.Model):
    """A broadcaster. Its identity is its name in its country: "Channel 1" of Egypt and "Channel 1" of
    Iran are two channels."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    country = models.CharField(max_length=100, blank=True)
    language = models.CharField(
        max_length=35, blank=True, help_text="BCP 47 code of the channel's main language."
    )
    affiliation = models.CharField(max_length=200, blank=True, help_text="For example: Hizbullah.")
    languages = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="The languages it usually broadcasts in, BCP 47 codes separated by commas (ar, en): "
        "speech in its recordings is identified among these only. Empty: any language.",
    )
    history = HistoricalRecords()

    objects = ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["name", "country"]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="unique_channel_name_country"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:channel", self.slug)

    @property
    def usual_languages(self) -> list[str]:
        """The declared languages, in the order given."""
        codes = [c.strip() for c in self.languages.replace(";", ",").split(",") if c.strip()]
        return list(dict.fromkeys(codes))


class TopicQuerySet(models.QuerySet):
    def public(self) -> "TopicQuerySet":
        """Topics of published clips: a topic only a draft uses stays unnamed in public."""
        return self.filter(Exists(_published_clips().filter(topics=OuterRef("pk"))))


class Topic(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:topic", self.slug)


class PersonQuerySet(models.QuerySet):
    def matching(self, name: str) -> "PersonQuerySet":
        """People whose name or one of whose aliases is `name`, ignoring case."""
        name = name.strip()
        return self.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name)).distinct()

    def public(self) -> "PersonQuerySet":
        """People and organisations who speak in a published clip or that staff linked to one; those
        of drafts alone stay unnamed in public (the API answers 404 for them too)."""
        featured = _published_clips().filter(Q(speakers__person=OuterRef("pk")) | Q(people=OuterRef("pk")))
        return self.filter(Exists(featured))

    def featured_in(self, clips: "ClipQuerySet") -> "PersonQuerySet":
        """People and organisations who speak in one of `clips` or that staff linked to one: for many
        people at once, where `public()` asks of each person in turn (and with `clips` published, the
        same people)."""
        return self.filter(Q(pk__in=clips.values("speakers__person")) | Q(pk__in=clips.values("people")))


class Person(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(
        blank=True, help_text="A short description, e.g. 'Editor-in-chief of Al-Akhbar'."
    )
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people and organisations"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:person", self.slug)

    @property
    def alias_names(self) -> list[str]:
        return [alias.name for alias in self.aliases.all()]


class PersonAlias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "aliases"
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="unique_alias_per_person")]

    def __str__(self) -> str:
        return self.name


def sees_unpublished(user) -> bool:
    """Staff see every clip, whatever its status; readers only published ones."""
    return user.is_authenticated and user.is_staff


class ClipQuerySet(models.QuerySet):
    def get_by_reference(self, reference: str) -> "Clip":
        """The clip named by its public number ('8891' or '#8891') or internal id ('id:12')."""
        ref = reference.strip()
        if ref.startswith("id:") and ref[3:].isdigit():
            lookup = {"pk": int(ref[3:])}
        elif ref.lstrip("#").isdigit():
            lookup = {"number": int(ref.lstrip("#"))}
        else:
            raise self.model.DoesNotExist(f"{reference!r} is not a clip number or id:N.")
        try:
            return self.get(**lookup)
        except self.model.DoesNotExist:
            raise self.model.DoesNotExist(f"No clip {reference}.") from None

    def published(self) -> "ClipQuerySet":
        return self.filter(status=Clip.Status.PUBLISHED)

    def visible_to(self, user) -> "ClipQuerySet":
        """Readers see published clips; staff see everything."""
        if sees_unpublished(user):
            return self.all()
        return self.published()

    def for_channel(self, channel: Channel) -> "ClipQuerySet":
        return self.filter(channel=channel)

    def for_country(self, country: str) -> "ClipQuerySet":
        return self.filter(channel__country__iexact=country)

    def for_topic(self, topic: Topic) -> "ClipQuerySet":
        return self.filter(topics=topic)

    def aired_in(self, year: int) -> "ClipQuerySet":
        return self.filter(aired_on__year=year)

    def featuring(self, person: Person) -> "ClipQuerySet":
        """Clips a person speaks in, or that staff linked to them."""
        ids = Clip.objects.filter(Q(speakers__person=person) | Q(people=person)).values("pk")
        return self.filter(pk__in=ids)

    def air_years(self) -> list[int]:
        """The years these clips aired in, latest first."""
        dated = self.exclude(aired_on=None).order_by()
        if connections[self.db].vendor == "sqlite":
            # SQLite keeps a date as its ISO text, so the year is its first four characters. Django's
            # date functions are Python callbacks there, called for every clip: the slowest query of
            # the list page.
            years = dated.annotate(year=Substr("aired_on", 1, 4))
        else:
            years = dated.annotate(year=ExtractYear("aired_on"))
        return sorted({int(year) for year in years.values_list("year", flat=True).distinct()}, reverse=True)

    def for_listing(self) -> "ClipQuerySet":
        # media: the poster frame each card shows
        return (
            self.select_related("channel")
            .prefetch_related("topics", "media")
            .order_by("-aired_on", "-number")
        )


class Clip(ClipDisplay, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Origin(models.TextChoices):
        MANUAL = "manual", "Created by staff"
        IMPORTED = "imported", "Imported from a published page"
        INGESTED = "ingested", "Ingested from media"

    number = models.PositiveIntegerField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="Public number, assigned when first published.",
    )
    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=100, blank=True)
    summary = models.TextField(blank=True)
    aired_on = models.DateField(null=True, blank=True)
    aired_until = models.DateField(
        null=True,
        blank=True,
        help_text="Last day of a clip aired over several days ('March 2-3, 2012'); empty for one day.",
    )
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="clips"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="clips")
    people = models.ManyToManyField(
        Person,
        blank=True,
        related_name="linked_clips",
        help_text="People and organisations this clip refers to.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.MANUAL, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_clips",
        help_text="The staff member working on this clip now.",
    )
    page_date = models.DateField(
        null=True, blank=True, editable=False, help_text="Date printed on an imported page."
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["-number", "-id"]
        permissions = [
            ("submit_clip", "Can send clips to review"),
            ("publish_clip", "Can publish clips"),
            ("withdraw_clip", "Can withdraw clips"),
            ("publish_correction", "Can publish corrections"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review"]) | Q(number__isnull=False),
                name="public_clips_have_numbers",
            ),
        ]
        indexes = [models.Index(fields=["status", "aired_on"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def duration_display(self) -> str:
        return format_duration(self.duration_ms)

    def is_visible_to(self, user) -> bool:
        """Whether `Clip.objects.visible_to(user)` holds this clip, from its status: no query."""
        return self.status == Clip.Status.PUBLISHED or sees_unpublished(user)


class ClipReference(models.Model):
    """A cross-reference printed on a clip page: "see MEMRI TV clip no 8575"."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="references")
    number = models.PositiveIntegerField(help_text="The referenced clip's public number.")
    publisher = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="references",
        help_text="The person the reference is about ('For more about ...'), if any.",
    )
    text = models.CharField(max_length=500, blank=True, help_text="The reference as printed.")

    class Meta:
        ordering = ["clip", "id"]
        constraints = [models.UniqueConstraint(fields=["clip", "number"], name="unique_reference_per_clip")]

    def __str__(self) -> str:
        return f"{self.clip.reference} → #{self.number}"


class Sequence(models.Model):
    """A named counter that only goes up: clip numbers are never reused, even after withdrawal."""

    name = models.CharField(max_length=50, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"
