"""Which public pages show what, as cache tags, and which tags each change to the archive invalidates.

Tags (clipdesk.caching): `clip-<number>` (a published clip's page, its downloads, and every card, feed
item or reference that shows it), `channel-<id>`, `topic-<id>`, `person-<id>` (the thing's own fields,
wherever they are shown), `channel-<id>-list` and the like (which clips a channel's, topic's or person's
pages list), `list` (the archive-wide lists: home, /clips/, the indexes, the all-clips feed, the API's
lists), `channels`, `topics`, `people` (the pages naming every one of them: /clips/'s filters, the
indexes), `search` (every search page), `corrections` (the corrections page and its feeds).

Receivers here turn each committed change into those tags; the page cache and the cache in front
drop exactly the pages that carry them.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from clipdesk import caching

from . import signals
from .models import Channel, Clip, ClipReference, Person, PersonAlias, Topic

PUBLIC = {Clip.Status.PUBLISHED.value, Clip.Status.WITHDRAWN.value}


def clip_tag(number: int | None) -> str:
    return f"clip-{number}"


def object_tag(obj: Channel | Topic | Person) -> str:
    return f"{type(obj).__name__.lower()}-{obj.pk}"


def tag_clip_page(clip: Clip, *, topics=(), people=(), speakers=(), references=()) -> None:
    """A page showing one clip in full: its page, its downloads, its JSON, an excerpt."""
    caching.tag(clip_tag(clip.number))
    if clip.channel_id:
        caching.tag(f"channel-{clip.channel_id}")
    caching.tag(*(f"topic-{t.pk}" for t in topics), *(f"person-{p.pk}" for p in people))
    caching.tag(*(f"person-{s.person_id}" for s in speakers if s and s.person_id))
    for ref in references:
        caching.tag(clip_tag(ref.number), *([f"person-{ref.person_id}"] if ref.person_id else []))


def tag_cards(clips) -> None:
    """Clip cards in a list: each clip's title, number, channel and topics (prefetched by for_listing)."""
    for clip in clips:
        caching.tag(clip_tag(clip.number))
        if clip.channel_id:
            caching.tag(f"channel-{clip.channel_id}")
        caching.tag(*(f"topic-{t.pk}" for t in clip.topics.all()))


def tag_listing(obj: Channel | Topic | Person) -> None:
    """A page listing the clips of a channel, topic or person (its page, its feeds)."""
    caching.tag(object_tag(obj), object_tag(obj) + "-list")


def _members(clip: Clip) -> set[str]:
    """The tags of the lists a clip belongs to."""
    tags = {f"channel-{clip.channel_id}-list"} if clip.channel_id else set()
    tags |= {f"topic-{pk}-list" for pk in clip.topics.values_list("pk", flat=True)}
    people = set(clip.people.values_list("pk", flat=True))
    people |= {pk for pk in clip.speakers.values_list("person", flat=True) if pk}
    return tags | {f"person-{pk}-list" for pk in people}


def _clip_before(sender, instance: Clip, **kwargs) -> None:
    instance._cache_before = (
        Clip.objects.filter(pk=instance.pk).values("status", "channel_id", "aired_on").first()
        if instance.pk
        else None
    )


def _clip_saved(sender, instance: Clip, **kwargs) -> None:
    before = getattr(instance, "_cache_before", None) or {}
    was_public = before.get("status") in PUBLIC
    if instance.status not in PUBLIC and not was_public:
        return  # drafts and clips in review are on no public page
    tags = {clip_tag(instance.number), "search"}
    if before.get("status") != instance.status:  # published or withdrawn: it joins or leaves lists
        tags |= {"list", "channels", "topics", "people"} | _members(instance)
        if before.get("channel_id") and before["channel_id"] != instance.channel_id:
            tags.add(f"channel-{before['channel_id']}-list")
    elif before.get("channel_id") != instance.channel_id:
        tags |= {"list", "channels", f"channel-{before.get('channel_id')}-list"}
        tags.add(f"channel-{instance.channel_id}-list")
    elif before.get("aired_on") != instance.aired_on:
        tags.add("list")  # lists are in order of air date, and /clips/ filters by its year
    caching.invalidate(tags)


def _clip_related(sender, instance: Clip, action: str, pk_set, model, **kwargs) -> None:
    """Topics or linked people added to or taken from a public clip."""
    if action not in {"post_add", "post_remove"} or not isinstance(instance, Clip) or not pk_set:
        return
    if instance.status not in PUBLIC:
        return
    kind = "topic" if model is Topic else "person"
    tags = {clip_tag(instance.number), "search", "list", f"{kind}s" if kind == "topic" else "people"}
    caching.invalidate(tags | {f"{kind}-{pk}-list" for pk in pk_set})


def _thing_changed(sender, instance, created: bool = False, **kwargs) -> None:
    """A channel, topic or person edited or deleted: wherever its name or fields are shown. A new one is
    on no public page until a published clip names it, which invalidates what it joins: its tag only
    gets its first version, now, so that pages showing it later can say when it last changed."""
    if created:
        caching.introduce(object_tag(instance))
        return
    plural = {Channel: "channels", Topic: "topics", Person: "people"}[type(instance)]
    caching.invalidate(object_tag(instance), plural, "search")


def _alias_changed(sender, instance: PersonAlias, created: bool = False, **kwargs) -> None:
    caching.invalidate(f"person-{instance.person_id}", "search")


def _reference_changed(sender, instance: ClipReference, **kwargs) -> None:
    number = Clip.objects.filter(pk=instance.clip_id, status__in=PUBLIC).values_list("number", flat=True)
    caching.invalidate(*(clip_tag(n) for n in number))


def _clip_corrected(sender, clip_id: int, **kwargs) -> None:
    """A correction published: the clip's text, its corrections, and the archive's."""
    number = Clip.objects.filter(pk=clip_id).values_list("number", flat=True).first()
    caching.invalidate(clip_tag(number), "search", "corrections")


def connect() -> None:
    pre_save.connect(_clip_before, sender=Clip, dispatch_uid="cache-clip-before")
    post_save.connect(_clip_saved, sender=Clip, dispatch_uid="cache-clip-saved")
    m2m_changed.connect(_clip_related, sender=Clip.topics.through, dispatch_uid="cache-clip-topics")
    m2m_changed.connect(_clip_related, sender=Clip.people.through, dispatch_uid="cache-clip-people")
    for model in (Channel, Topic, Person):
        post_save.connect(_thing_changed, sender=model, dispatch_uid=f"cache-{model.__name__}-saved")
        post_delete.connect(_thing_changed, sender=model, dispatch_uid=f"cache-{model.__name__}-deleted")
    post_save.connect(_alias_changed, sender=PersonAlias, dispatch_uid="cache-alias-saved")
    post_delete.connect(_alias_changed, sender=PersonAlias, dispatch_uid="cache-alias-deleted")
    post_save.connect(_reference_changed, sender=ClipReference, dispatch_uid="cache-reference-saved")
    post_delete.connect(_reference_changed, sender=ClipReference, dispatch_uid="cache-reference-deleted")
    signals.clip_changed.connect(_clip_corrected, dispatch_uid="cache-clip-corrected")
