"""Named actions: every write to the archive goes through one of these.

Each checks the permission, changes the data in one transaction, records the history entry with
its author, and sends follow-up signals after commit. `user=None` means a trusted local process
(the CLI or a worker), which has every permission.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import signals
from .models import Channel, Clip, ClipReference, Person, PersonAlias, Sequence, Topic, make_slug


def require(user, perm: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(f"You need the permission {perm!r} for this.")


def _save(instance, user, **kwargs) -> None:
    """Save with the history entry attributed to `user`."""
    instance._history_user = user
    instance.save(**kwargs)


def _lock(clip: Clip) -> Clip:
    return Clip.objects.select_for_update().get(pk=clip.pk)


def reserve_number(number: int | None = None) -> int:
    """The next public number, or `number` itself if given and free. Call inside a transaction.

    Numbers only go up: the sequence row remembers the highest ever handed out, so a number is
    never reused even if its clip were removed.
    """
    seq, _ = Sequence.objects.select_for_update().get_or_create(name="clip-number")
    if number is None:
        highest = Clip.objects.aggregate(m=Max("number"))["m"] or 0
        number = max(seq.last_value, highest, settings.CLIPDESK_FIRST_NUMBER - 1) + 1
    elif Clip.objects.filter(number=number).exists():
        raise ValidationError(f"Clip number {number} is already in the archive.")
    if number > seq.last_value:
        seq.last_value = number
        seq.save(update_fields=["last_value"])
    return number


def create_clip(
    *, user, title: str, origin: str = Clip.Origin.MANUAL, topics: Iterable[Topic] = (), **fields
) -> Clip:
    require(user, "archive.add_clip")
    title = title.strip()
    if not title:
        raise ValidationError("A clip needs a title.")
    with transaction.atomic():
        clip = Clip(title=title, slug=make_slug(title), origin=origin, **fields)
        clip.full_clean(exclude=["number", "status", "origin"])
        _save(clip, user)
        clip.topics.set(topics)
    return clip


def update_clip(clip: Clip, *, user, topics: Iterable[Topic] | None = None, **fields) -> Clip:
    """Change a clip's editorial fields (title, summary, air date, channel, duration, topics)."""
    require(user, "archive.change_clip")
    allowed = {"title", "summary", "aired_on", "aired_until", "duration_ms", "channel", "page_date"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"update_clip cannot change {sorted(unknown)}")
    with transaction.atomic():
        clip = _lock(clip)
        if clip.status == Clip.Status.PUBLISHED:
            # Readers' text changes only through a published correction (kept by the transcripts app).
            texts = {
                k: fields[k] for k in ("title", "summary") if k in fields and fields[k] != getattr(clip, k)
            }
            if texts and not signals.published_text_proposed.send(sender=Clip, clip=clip, user=user, **texts):
                raise ImproperlyConfigured(
                    "Nothing receives published_text_proposed: is transcripts installed?"
                )
            fields = {k: v for k, v in fields.items() if k not in ("title", "summary")}
        for name, value in fields.items():
            setattr(clip, name, value)
        clip.slug = make_slug(clip.title)
        clip.full_clean(exclude=["number", "status", "origin"])
        _save(clip, user)
        if topics is not None:
            clip.topics.set(topics)
    return clip


def _transition(clip: Clip, *, user, perm: str, allowed_from: set[str], to: str, **changes) -> Clip:
    require(user, perm)
    with transaction.atomic():
        clip = _lock(clip)
        if clip.status not in allowed_from:
            raise ValidationError(
                f"Clip {clip.reference} is {clip.get_status_display().lower()}; it cannot become {to}."
            )
        clip.status = to
        for name, value in changes.items():
            setattr(clip, name, value)
        _save(clip, user)
    return clip


def submit_for_review(clip: Clip, *, user) -> Clip:
    return _transition(
        clip, user=user, perm="archive.submit_clip", allowed_from={Clip.Status.DRAFT}, to=Clip.Status.REVIEW
    )


def return_to_draft(clip: Clip, *, user) -> Clip:
    return _transition(
        clip, user=user, perm="archive.submit_clip", allowed_from={Clip.Status.REVIEW}, to=Clip.Status.DRAFT
    )


def publish_clip(
    clip: Clip,
    *,
    user,
    number: int | None = None,
    published_at: dt.datetime | None = None,
    confirm_machine_text: bool = False,
) -> Clip:
    """Publish a draft or reviewed clip, giving it its public number inside the same transaction.

    `number` keeps a number printed elsewhere (imported pages); otherwise the next one is taken.
    A clip whose English is still machine-made is published only with `confirm_machine_text`.
    """
    require(user, "archive.publish_clip")
    with transaction.atomic():
        clip = _lock(clip)
        if not confirm_machine_text and clip.segments.filter(english_origin="machine").exists():
            raise ValidationError(
                f"Clip {clip.reference} has English that is still machine-made; "
                "confirm that it should be published as it is."
            )
        if clip.status not in {Clip.Status.DRAFT, Clip.Status.REVIEW}:
            raise ValidationError(
                f"Clip {clip.reference} is {clip.get_status_display().lower()}; only drafts and clips in review can be published."
            )
        if clip.number is None:
            clip.number = reserve_number(number)
        elif number is not None and number != clip.number:
            raise ValidationError(f"Clip {clip.reference} already has its number.")
        clip.status = Clip.Status.PUBLISHED
        clip.published_at = published_at or timezone.now()
        clip.slug = clip.slug or make_slug(clip.title)
        _save(clip, user)
        signals.send_on_commit(signals.clip_published, clip.pk)
    return clip


def assign_clip(clip: Clip, *, user, assignee) -> Clip:
    """Give a clip to a staff member (or to nobody), for the worklist."""
    require(user, "archive.change_clip")
    if assignee is not None and not assignee.is_staff:
        raise ValidationError("Clips can only be assigned to staff.")
    with transaction.atomic():
        clip = _lock(clip)
        clip.assignee = assignee
        _save(clip, user)
    return clip


def withdraw_clip(clip: Clip, *, user, reason: str) -> Clip:
    """Take a published clip down. Its URL then answers 410 with the reason; its number is never reused."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Withdrawing a clip needs a reason; readers see it.")
    clip = _transition(
        clip,
        user=user,
        perm="archive.withdraw_clip",
        allowed_from={Clip.Status.PUBLISHED},
        to=Clip.Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        withdrawn_reason=reason,
    )
    signals.send_on_commit(signals.clip_withdrawn, clip.pk)
    return clip


def find_channel(name: str, country: str | None = None) -> Channel | None:
    """The channel called `name` in `country` (a channel of that name with no country yet will do).
    Without a country, the first channel of that name: names are unique only within a country."""
    channels = Channel.objects.filter(name__iexact=name.strip())
    if country is None:
        return channels.first()
    return channels.filter(country__iexact=country.strip()).first() or channels.filter(country="").first()


def get_or_create_channel(*, user, name: str, **fields) -> Channel:
    channel = find_channel(name, fields.get("country"))
    if channel:
        return channel
    require(user, "archive.add_channel")
    name = name.strip()
    # A second "Channel 1" is told apart by its country in its address: /channels/channel-1-iran/.
    shared = fields.get("country") and Channel.objects.filter(name__iexact=name).exists()
    slug = base = make_slug(f"{name} {fields['country']}" if shared else name, 200)
    n = 1
    while Channel.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    with transaction.atomic():
        channel = Channel(name=name, slug=slug, **fields)
        _save(channel, user)
    return channel


def get_or_create_person(
    *, user, name: str, kind: str = Person.Kind.PERSON, aliases: Iterable[str] = ()
) -> Person:
    """The person or organisation called `name` (or by one of its aliases), created if new."""
    person = Person.objects.matching(name).first()
    if person is None:
        require(user, "archive.add_person")
        slug = base = make_slug(name, 190)
        n = 1
        while Person.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        person = Person(name=name.strip(), slug=slug, kind=kind)
        _save(person, user)
    for alias in aliases:
        if alias.strip() and alias.strip().lower() != person.name.lower():
            PersonAlias.objects.get_or_create(person=person, name=alias.strip())
    return person


def merge_people(keep: Person, other: Person, *, user) -> Person:
    """Fold `other` into `keep`: its speakers, clips, references and aliases move, its name becomes an alias."""
    require(user, "archive.change_person")
    require(user, "archive.delete_person")
    if keep.pk == other.pk:
        raise ValidationError("A record cannot be merged into itself.")
    with transaction.atomic():
        for speaker in other.speakers.all():  # transcripts' speakers, by the reverse relation
            speaker.person = keep
            _save(speaker, user)
        ClipReference.objects.filter(person=other).update(person=keep)
        for clip in Clip.objects.filter(people=other):
            clip.people.add(keep)
        names = {other.name, *other.alias_names}
        existing = {keep.name.lower(), *(a.lower() for a in keep.alias_names)}
        for name in names:
            if name.lower() not in existing:
                PersonAlias.objects.create(person=keep, name=name)
        if not keep.description and other.description:
            keep.description = other.description
        _save(keep, user)
        other._history_user = user
        other.delete()
    return keep
