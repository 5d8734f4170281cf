"""Reads the API needs beyond the archive's own QuerySet methods: only what published clips show.

People, channels and topics appear in the API once a published clip names them, as on the public
pages, so that nothing about a clip in preparation shows through them.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from clipdesk.archive.models import Channel, Clip, ClipQuerySet, Person, Topic
from clipdesk.transcripts.models import Segment


def in_language(clips: ClipQuerySet, code: str) -> ClipQuerySet:
    """Clips whose original-language transcript is in `code` (BCP 47; 'ar' also finds 'ar-LB')."""
    code = code.lower()
    lines = Segment.objects.exclude(original_text="").filter(
        Q(original_language__iexact=code) | Q(original_language__istartswith=f"{code}-")
    )
    return clips.filter(pk__in=lines.values("clip"))


def _with_published_clips(queryset: QuerySet, relation: str) -> QuerySet:
    published = Q(**{f"{relation}__status": Clip.Status.PUBLISHED})
    return queryset.annotate(clip_count=Count(relation, filter=published, distinct=True)).filter(
        clip_count__gt=0
    )


def channels() -> QuerySet:
    """Channels with published clips, each with `clip_count`."""
    return _with_published_clips(Channel.objects.all(), "clips")


def topics() -> QuerySet:
    """Topics with published clips, each with `clip_count`."""
    return _with_published_clips(Topic.objects.all(), "clips")


def people() -> QuerySet:
    """People and organisations featured in published clips (as speakers or linked by staff), each with
    `clip_count` and their aliases."""
    featuring = (
        Clip.objects.published()
        .filter(Q(speakers__person=OuterRef("pk")) | Q(people=OuterRef("pk")))
        .order_by()
        .values("status")  # one group: every row here is published
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    count = Coalesce(Subquery(featuring, output_field=IntegerField()), 0)
    return Person.objects.annotate(clip_count=count).filter(clip_count__gt=0).prefetch_related("aliases")
