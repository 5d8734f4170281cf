"""The documents of the PostgreSQL search backend.

The table exists on every database so that migrations stay the same everywhere, but only the
PostgreSQL backend fills it; its text search configurations and GIN indexes are created by a
migration that runs on PostgreSQL only. Like the tantivy index, it is derived data: `clipdesk
reindex` rebuilds it from the archive.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from clipdesk.archive.models import Clip


class SearchDocument(models.Model):
    """One row per clip for its own text (kind "about") and one per transcript line (kind "line").

    Every row carries its clip's facet values, so that filters and counts need no join.
    """

    class Kind(models.TextChoices):
        ABOUT = "about", "Title, summary and names"
        LINE = "line", "Transcript line"

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="+")
    segment_id = models.PositiveBigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.IntegerField(default=0)
    status = models.CharField(max_length=20)
    number = models.PositiveIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=100, blank=True)
    topics = models.JSONField(default=list)
    people = models.JSONField(default=list)
    langs = models.JSONField(default=list, help_text="Languages of all the clip's lines.")
    lang = models.CharField(max_length=35, blank=True, help_text="This line's original language.")
    aired_on = models.DateField(null=True, blank=True)
    # Words analyzed per language: English text (and the clip's own text) in `english`, Arabic stems
    # in `arabic`, the other languages in `plain`; `exact` holds all of it unstemmed, with positions,
    # for phrases and prefixes.
    english = SearchVectorField(null=True)
    arabic = SearchVectorField(null=True)
    plain = SearchVectorField(null=True)
    exact = SearchVectorField(null=True)
    speaker = SearchVectorField(null=True)
    channel_words = SearchVectorField(null=True)

    class Meta:
        indexes = [models.Index(fields=["clip", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} of clip {self.clip_id}" + (f" line {self.segment_id}" if self.segment_id else "")
