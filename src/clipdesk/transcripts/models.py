"""Speakers and time-aligned segments: one row per line, holding both languages."""

from django.conf import settings
from django.db import models
from django.db.models import F
from simple_history.models import HistoricalRecords

from clipdesk.archive.models import Clip, Person


class Origin(models.TextChoices):
    MACHINE = "machine", "Machine"
    HUMAN = "human", "Human"


class Speaker(models.Model):
    """One voice in one clip. Renaming or reassigning it changes this row only."""

    class Role(models.TextChoices):
        NONE = "", "—"
        HOST = "host", "Host"
        ANCHOR = "anchor", "Anchor"
        INTERVIEWER = "interviewer", "Interviewer"
        REPORTER = "reporter", "Reporter"
        GROUP = "group", "Group (not a person)"

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="speakers")
    label = models.CharField(
        max_length=200, help_text="The name as printed, e.g. 'Ibrahim Al-Amine' or 'Host'."
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="speakers"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True, default=Role.NONE)
    description = models.CharField(
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="Who the speaker was in this clip, as printed: 'Syrian analyst', 'Former minister of "
        "information'. Plain text; offered for the person's profile.",
    )
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["clip", "position", "id"]
        # The people of published clips (the list page's filter, featured_in()) are read from this index
        # alone, without the speakers' rows.
        indexes = [models.Index(fields=["clip", "person"], name="speaker_clip_person_idx")]

    def __str__(self) -> str:
        return self.label


class SegmentQuerySet(models.QuerySet):
    def timed(self) -> "SegmentQuerySet":
        return self.filter(start_ms__isnull=False, end_ms__isnull=False)

    def in_order(self) -> "SegmentQuerySet":
        return self.select_related("speaker", "speaker__person").order_by("position", "id")

    def for_reading(self) -> "SegmentQuerySet":
        """Without what only staff read: the speech pipeline's per-word data and scores (the words of
        a machine line are more bytes than its text) and the split checks."""
        return self.defer(*READER_DEFERRED)

    def original_language(self) -> str:
        """The BCP 47 code of the clip's original text ('' when it has none): the first line's that has
        one. Reads the rows already fetched when the queryset has been evaluated."""
        return original_language(self)

    def caption_languages(self) -> list[str]:
        """English, then the original language when there is another one."""
        original = self.original_language()
        return ["en", original] if original and original != "en" else ["en"]


def original_language(segments) -> str:
    """The original language of these lines (in order): the first that has original text and a language."""
    for segment in segments:
        if segment.original_text and segment.original_language:
            return segment.original_language
    return ""


class Segment(models.Model):
    """A line of transcript: the original text and its English translation, with times and speaker.

    Editorial insertions ("[Hizbullah]") and elisions ("...") stay inline in the text as printed;
    `parse_marks` splits them out for display.
    """

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField()
    start_ms = models.PositiveIntegerField(null=True, blank=True)
    end_ms = models.PositiveIntegerField(null=True, blank=True)
    speaker = models.ForeignKey(
        Speaker, on_delete=models.SET_NULL, null=True, blank=True, related_name="segments"
    )
    original_text = models.TextField(blank=True)
    original_language = models.CharField(
        max_length=35, blank=True, help_text="BCP 47 code, e.g. 'ar' or 'fa'."
    )
    original_origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.HUMAN)
    english_text = models.TextField(blank=True)
    english_origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.HUMAN)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every save; an edit of an older version is refused."
    )
    # Shown beside the line to readers; kept in the history, and corrected like the text on a published clip.
    note = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="The translator's note on this line, e.g. 'literally: ...' or 'could also be rendered as ...'.",
    )
    # What the speech pipeline knew of a machine line (empty for lines typed by people). Words are
    # [start_ms, end_ms, text, probability] lists in one JSON column: measured in SQLite on 70,000
    # words of the bench file's kind, 31 bytes a word against 45 for a table of word rows with its
    # index, and a line's words come with the line, in one read (see MACHINE_FIELDS).
    words = models.JSONField(null=True, blank=True, help_text="[[start_ms, end_ms, text, probability], ...]")
    language_probability = models.FloatField(
        null=True, blank=True, help_text="The model's probability of the original language."
    )
    avg_logprob = models.FloatField(null=True, blank=True, help_text="Decoder: average log-probability.")
    no_speech_prob = models.FloatField(null=True, blank=True, help_text="Decoder: probability of no speech.")
    compression_ratio = models.FloatField(null=True, blank=True, help_text="Decoder: gzip compression ratio.")
    uncertain = models.BooleanField(
        default=False, db_default=False, help_text="The machine text failed a check: review it."
    )
    uncertain_reason = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="Why, comma-separated: repetition, compression, low-logprob, no-speech, translation-...",
    )
    # Set by a split that could not be exact (a proportion, not a stored word, decided it); cleared when
    # a person marks the line checked.
    split_check = models.CharField(
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="Why a person should check this line after a split, e.g. where the English divides.",
    )
    # The machine's scores never change by editing: kept out of the history, which copies a row
    # on every edit.
    history = HistoricalRecords(
        excluded_fields=[
            "words",
            "language_probability",
            "avg_logprob",
            "no_speech_prob",
            "compression_ratio",
        ]
    )

    objects = SegmentQuerySet.as_manager()

    class Meta:
        ordering = ["clip", "position", "id"]
        indexes = [models.Index(fields=["clip", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_ms__isnull=True)
                | models.Q(end_ms__isnull=True)
                | models.Q(end_ms__gte=F("start_ms")),
                name="segment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clip.reference} line {self.position}"

    @property
    def is_timed(self) -> bool:
        return self.start_ms is not None and self.end_ms is not None

    @property
    def spoken_in_english(self) -> bool:
        """English speech is its own English: its machine text is a transcript, not a translation, and
        readers get it once, not twice."""
        return spoken_in_english(self.original_language)

    @property
    def text_once(self) -> str:
        """The one text of an English-speech line: its English, or its transcript where that is empty."""
        return self.english_text or self.original_text

    @property
    def text_once_origin(self) -> str:
        return self.english_origin if self.english_text else self.original_origin

    @property
    def unchecked_uncertain(self) -> bool:
        """Marked uncertain by the pipeline, and no person has changed its machine text since."""
        return self.uncertain and Origin.MACHINE in (self.original_origin, self.english_origin)


def spoken_in_english(language: str) -> bool:
    return (language or "").split("-")[0].lower() == "en"


# What a public page of lines never shows (`SegmentQuerySet.for_reading`); `uncertain` and its reason it does.
READER_DEFERRED = (
    "words",
    "language_probability",
    "avg_logprob",
    "no_speech_prob",
    "compression_ratio",
    "split_check",
)

# The per-line machine data, as exported to staff.
MACHINE_FIELDS = (
    "words",
    "language_probability",
    "avg_logprob",
    "no_speech_prob",
    "compression_ratio",
    "uncertain",
    "uncertain_reason",
)


class EditStep(models.Model):
    """One change a person made to a clip's lines, which they can undo and redo.

    Per person and clip, newest first: undo takes that person's newest step that is not undone, redo
    the oldest undone one, and a new step forgets the undone ones. `data` holds what the line(s) held
    before and after, so an undo of a line someone changed since (it no longer holds the "after") is
    refused as an edit conflict. Steps are applied through the same actions as the edit, so history records
    the undo as a change by its author.
    """

    class Kind(models.TextChoices):
        EDIT = "edit", "edit"
        SPLIT = "split", "split"
        MERGE = "merge", "merge"
        SPEAKER = "speaker", "speaker change"

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=200, help_text="What the step did, e.g. 'split line 3'.")
    data = models.JSONField()
    undone = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["clip", "user", "undone"])]

    def __str__(self) -> str:
        return f"{self.clip_id} {self.user_id} {self.label}"


class RevisionQuerySet(models.QuerySet):
    def pending(self) -> "RevisionQuerySet":
        return self.filter(status=Revision.Status.PENDING)

    def published(self) -> "RevisionQuerySet":
        return self.filter(status=Revision.Status.PUBLISHED)


class Revision(models.Model):
    """Edits to a published clip, held back until a publisher publishes them as a correction."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PUBLISHED = "published", "Published as a correction"
        DISCARDED = "discarded", "Discarded"

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="revisions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(blank=True, help_text="The public note that explains the correction.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["clip", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clip"], condition=models.Q(status="pending"), name="one_pending_revision_per_clip"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clip.reference} revision {self.pk} ({self.status})"


class RevisionEdit(models.Model):
    """One field of one line (or of the clip itself, when `segment` is empty): before and after."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="edits")
    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, null=True, blank=True, related_name="pending_edits"
    )
    field = models.CharField(max_length=30)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["revision", "segment__position", "field"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "segment", "field"], name="one_edit_per_field"),
        ]

    def __str__(self) -> str:
        return f"{self.revision} {self.field}"


class PageImport(models.Model):
    """A published page that became a clip, under the key that finds it again on the next import: its
    printed number, else its address, else a hash of its text. Holds what the importer warned about
    and what an editor must check (the worklist's "needs review" filter)."""

    key = models.CharField(
        max_length=300, unique=True, help_text="number:8891, url:https://..., or sha256:..."
    )
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="page_imports")
    source = models.CharField(max_length=500, help_text="The file it was read from.")
    address = models.CharField(max_length=2000, blank=True, help_text="The page's address, where known.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the page's text as read.")
    warnings = models.JSONField(default=list, help_text="Every warning, 'line N: message'.")
    review = models.JSONField(default=list, help_text="What an editor must check, 'line N: message'.")
    needs_review = models.BooleanField(default=False)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-imported_at"]
        indexes = [models.Index(fields=["needs_review", "clip"])]

    def __str__(self) -> str:
        return self.key
