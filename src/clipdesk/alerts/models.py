"""Live transcripts: the machine text of every recorded channel, line by line, on the air clock.

Live lines are never published and never shown to the public. They are many (a year of 100
channels is about 200 million lines), so on PostgreSQL their table is partitioned by day
(`day`, the UTC date of the line's start) and retention drops whole partitions; on SQLite it
is a plain table whose retention deletes by day. Nothing refers to a live line by foreign key
(PostgreSQL cannot point one at a partitioned table without its partition key): an alert
keeps the line's id, day and a copy of its text.
"""

import datetime as dt

from django.db import models

from clipdesk.recording.models import ChannelSource

# Held by the admin role: every monitor's watchlists and alerts, not only one's own.
OVERSEE = "alerts.oversee_watchlist"


class LiveLineQuerySet(models.QuerySet):
    def for_source(self, source) -> "LiveLineQuerySet":
        return self.filter(source=source)

    def between(self, start: dt.datetime, end: dt.datetime) -> "LiveLineQuerySet":
        """Lines that overlap [start, end). The day bounds let PostgreSQL skip other partitions."""
        return self.filter(
            start__lt=end,
            end__gt=start,
            day__gte=(start - dt.timedelta(days=1)).date(),
            day__lte=end.date(),
        )


class LiveLine(models.Model):
    """One line of a channel's live transcript, both languages, with its words' times.

    `start` and `end` are wall-clock air times (UTC). `language` is the line's own BCP 47 code;
    `english` is the machine's English draft ("" when none was made, or the line is English).
    `words` holds `[start_ms, end_ms, text, probability]` for each word, times counted from the
    line's `start`. `uncertain` lists why the machine text is not to be trusted (the machine-text
    safeguards' reasons), empty when it passed every check."""

    id = models.BigAutoField(primary_key=True)
    source = models.ForeignKey(ChannelSource, on_delete=models.CASCADE, related_name="live_lines")
    day = models.DateField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    language = models.CharField(max_length=16, blank=True)
    text = models.TextField()
    english = models.TextField(blank=True)
    words = models.JSONField(default=list)
    uncertain = models.JSONField(default=list)
    speaker = models.SmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LiveLineQuerySet.as_manager()

    class Meta:
        ordering = ["source", "start"]
        indexes = [models.Index(fields=["source", "start"], name="alerts_liveline_source_start")]
        constraints = [
            models.UniqueConstraint(fields=["source", "day", "start"], name="alerts_one_liveline_per_start")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.start:%Y-%m-%d %H:%M:%S}: {self.text[:60]}"

    def save(self, *args, **kwargs) -> None:
        self.day = self.start.astimezone(dt.UTC).date()
        super().save(*args, **kwargs)


class LiveChannelQuerySet(models.QuerySet):
    def enabled(self) -> "LiveChannelQuerySet":
        return self.filter(enabled=True, source__paused=False)

    def by_priority(self) -> "LiveChannelQuerySet":
        """Most important first; among equals, the furthest behind."""
        return self.order_by("-priority", models.F("watermark").asc(nulls_first=True), "pk")

    def lagging(self) -> "LiveChannelQuerySet":
        """Channels in a lag incident now (behind the air by more than the threshold)."""
        return self.filter(lagging_since__isnull=False)


class LiveChannel(models.Model):
    """A channel's live transcription: how far it has got, how far behind the air it is, and who
    works on it now.

    `watermark` is the air time up to which the channel's lines are final: the next window starts
    there (less a little overlap), and a line decoded again before it is dropped. `lag_seconds` is
    how far the transcript is behind the air. `lagging_since` is set while a lag incident lasts (one
    email per incident). `claimed_by`/`claimed_at` mark the job working on it (a claim older than
    the stale time belongs to a killed job and is free again). `failures` counts failed attempts at
    the window starting at the watermark; after the last one the window is marked not transcribed."""

    source = models.OneToOneField(ChannelSource, on_delete=models.CASCADE, related_name="live")
    enabled = models.BooleanField(default=True, help_text="Transcribe this channel live.")
    priority = models.SmallIntegerField(
        default=0, help_text="Higher first when the workers cannot keep up with every channel."
    )
    english = models.BooleanField(
        default=True, help_text="Draft each line in English too (when CLIPDESK_LIVE_ENGLISH allows it)."
    )
    watermark = models.DateTimeField(null=True, blank=True)
    lag_seconds = models.FloatField(null=True, blank=True)
    lag_at = models.DateTimeField(null=True, blank=True)
    lagging_since = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveChannelQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "source__channel__name"]

    def __str__(self) -> str:
        return f"live transcription of {self.source.channel.name}"


class NotTranscribedQuerySet(models.QuerySet):
    def open(self) -> "NotTranscribedQuerySet":
        return self.exclude(status=NotTranscribed.Status.DONE)

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> "NotTranscribedQuerySet":
        return self.filter(start__lt=end, end__gt=start)


class NotTranscribed(models.Model):
    """A span of a channel's recording the live transcription gave up on, and why; staff may retry it."""

    class Status(models.TextChoices):
        FAILED = "failed", "Not transcribed"
        QUEUED = "queued", "Queued again"
        DONE = "done", "Transcribed on retry"

    source = models.ForeignKey(ChannelSource, on_delete=models.CASCADE, related_name="not_transcribed")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FAILED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NotTranscribedQuerySet.as_manager()

    class Meta:
        ordering = ["source", "start"]
        indexes = [models.Index(fields=["source", "start"], name="alerts_nottranscribed_start")]
        verbose_name_plural = "not transcribed spans"

    def __str__(self) -> str:
        return f"{self.source_id} {self.start:%Y-%m-%d %H:%M:%S}-{self.end:%H:%M:%S}: {self.reason[:60]}"


class WatchlistQuerySet(models.QuerySet):
    def active(self) -> "WatchlistQuerySet":
        return self.filter(active=True)

    def owned_by(self, user) -> "WatchlistQuerySet":
        return self.filter(owner=user)

    def visible_to(self, user) -> "WatchlistQuerySet":
        """The user's own watchlists; every monitor's for those who oversee them (the admin role)."""
        return self.all() if user.has_perm(OVERSEE) else self.owned_by(user)

    def watching(self, source_id: int) -> "WatchlistQuerySet":
        """Active watchlists over this channel source, or over every channel."""
        return self.active().filter(models.Q(sources__isnull=True) | models.Q(sources=source_id)).distinct()


class Watchlist(models.Model):
    """A monitor's list of terms, watched over chosen channels (none chosen: all of them).

    Alert emails are batched: at most one email every `email_minutes` minutes (0: no email)."""

    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="watchlists")
    name = models.CharField(max_length=200)
    sources = models.ManyToManyField(ChannelSource, blank=True, related_name="watchlists")
    active = models.BooleanField(default=True)
    email = models.EmailField(blank=True, help_text="Where alert emails go; empty: no email.")
    email_minutes = models.PositiveIntegerField(
        default=15, help_text="At most one email every this many minutes; 0: no email."
    )
    last_emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WatchlistQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        permissions = [("oversee_watchlist", "Can see and change every monitor's watchlists and alerts")]

    def __str__(self) -> str:
        return self.name


class WatchTerm(models.Model):
    """One thing a watchlist listens for: a word, an exact phrase, a person (with their aliases) or a
    saved search in the search language."""

    class Kind(models.TextChoices):
        TERM = "term", "Word"
        PHRASE = "phrase", "Exact phrase"
        NAME = "name", "Person or organisation"
        SEARCH = "search", "Saved search"

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=500, blank=True)
    person = models.ForeignKey(
        "archive.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="watch_terms"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["watchlist", "pk"]

    def __str__(self) -> str:
        return self.person.name if self.person_id and self.person else self.value


class AlertQuerySet(models.QuerySet):
    def for_owner(self, user) -> "AlertQuerySet":
        return self.filter(watchlist__owner=user)

    def visible_to(self, user) -> "AlertQuerySet":
        """The alerts of the user's own watchlists; every alert for those who oversee watchlists."""
        return self.all() if user.has_perm(OVERSEE) else self.for_owner(user)

    def unmailed(self) -> "AlertQuerySet":
        return self.filter(email__isnull=True)

    def newest_first(self) -> "AlertQuerySet":
        return self.order_by("-created_at", "-pk")


class Alert(models.Model):
    """A watchlist's match on a live line, alerted once. The line is copied (lines are dropped with
    their day's partition); `line_id` and `line_day` name it while it is kept. `air_time` is when the
    matched word was said (the line's start when only its English draft matched)."""

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="alerts")
    term = models.ForeignKey(WatchTerm, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    matched = models.CharField(max_length=500, help_text="What matched, as the term reads.")
    source = models.ForeignKey(ChannelSource, on_delete=models.CASCADE, related_name="alerts")
    line_id = models.BigIntegerField()
    line_day = models.DateField()
    line_start = models.DateTimeField()
    air_time = models.DateTimeField()
    language = models.CharField(max_length=16, blank=True)
    text = models.TextField()
    english = models.TextField(blank=True)
    email = models.ForeignKey(
        "AlertEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["watchlist", "source", "air_time"], name="alerts_alert_near"),
            models.Index(fields=["created_at"], name="alerts_alert_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "line_day", "line_id"], name="alerts_one_alert_per_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.watchlist}: {self.matched} at {self.air_time:%Y-%m-%d %H:%M:%S}"

    @property
    def latency(self) -> dt.timedelta:
        return self.created_at - self.air_time


class AlertEmailQuerySet(models.QuerySet):
    def pending(self) -> "AlertEmailQuerySet":
        return self.filter(status=AlertEmail.Status.PENDING)


class AlertEmail(models.Model):
    """One batched alert email in the outbox: written with its alerts in one transaction, sent by the
    worker, marked sent; a crash before the mark sends it again only after its claim lapses."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Given up"

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="emails")
    to_email = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = AlertEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "claimed_until"], name="alerts_email_pending")]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to_email} ({self.status})"
