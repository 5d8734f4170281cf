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
