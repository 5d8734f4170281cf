"""Named actions: every write to subscriptions goes through one of these.

A reader has no account here. The actions that change a subscription take the `Subscriber` that the
caller resolved from a signed link (see `tokens`), which is the proof that the caller reads that
mailbox; `confirm_subscription` checks its signed link itself. Mail is written to the outbox inside
the transaction and sent after commit, by id.
"""

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from clipdesk.archive.models import Channel, Person, Topic

from . import delivery, digests, emails, signals, tokens
from .models import (
    Frequency,
    OutboxMessage,
    PendingConfirmation,
    PublicationEvent,
    SavedSearch,
    Subscriber,
    address_digest,
    normalize_email,
)


def _names(model, ids: Iterable[int]) -> list[str]:
    return list(model.objects.filter(pk__in=list(ids)).values_list("name", flat=True))


def follows_of(request: tokens.Request) -> emails.Follows:
    return emails.Follows(
        topics=_names(Topic, request.topic_ids),
        people=_names(Person, request.person_ids),
        channels=_names(Channel, request.channel_ids),
        queries=list(request.queries),
    )


def request_subscription(
    *,
    email: str,
    frequency: str,
    topics: Iterable[Topic] = (),
    people: Iterable[Person] = (),
    channels: Iterable[Channel] = (),
    queries: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Send a confirmation link for this request; nothing else happens until it is followed.

    The request itself travels inside the signed link, so nothing about an address that never
    confirms is kept beyond the message. Callers show the same answer whether or not the address
    is subscribed already, so that addresses cannot be discovered.
    """
    now = now or timezone.now()
    request = tokens.Request(
        email=normalize_email(email),
        frequency=Frequency(frequency).value,
        topic_ids=sorted(t.pk for t in topics),
        person_ids=sorted(p.pk for p in people),
        channel_ids=sorted(c.pk for c in channels),
        queries=sorted({q.strip() for q in queries if q.strip()}),
        nonce=secrets.token_urlsafe(16),
    )
    existing = Subscriber.objects.with_address(request.email).first()
    with transaction.atomic():
        PendingConfirmation.objects.expired(now).delete()
        PendingConfirmation.objects.create(
            nonce=request.nonce,
            address=address_digest(request.email),
            expires_at=now + dt.timedelta(seconds=tokens.confirm_max_age()),
        )
        message = emails.confirmation(request, follows_of(request), subscriber=existing, now=now)
        message.save()
        # tasks.send_soon receives it and queues the sending job.
        transaction.on_commit(
            lambda: signals.message_queued.send(sender=OutboxMessage, message_id=message.pk), robust=True
        )
    return message


def _start_fresh(subscriber: Subscriber, now: dt.datetime) -> None:
    """Digests start from now on: nothing published while the subscriber was away is mailed late."""
    subscriber.last_sequence = PublicationEvent.objects.high_mark()
    subscriber.confirmed_at = subscriber.confirmed_at or now
    subscriber.paused_at = subscriber.unsubscribed_at = subscriber.bounced_at = None
    subscriber.bounce_reason = ""


def confirm_subscription(token: str, *, now: dt.datetime | None = None) -> Subscriber:
    """Follow a confirmation link: create the subscriber, or add the request to their subscription.

    Raises `tokens.InvalidLink` when the link was altered, has expired or was used: a link works once,
    and not after its address unsubscribed or was deleted (see `tokens`).
    Confirming also lifts an unsubscribe, a pause or an earlier rejection of the address: its owner
    has just shown that mail reaches them.
    """
    request = tokens.read_confirmation(token)
    now = now or timezone.now()
    with transaction.atomic():
        spent, _ = tokens.pending(request).delete()
        if not spent:  # another request used it since it was read
            raise tokens.InvalidLink(tokens.SPENT)
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
            email=request.email, defaults={"frequency": request.frequency}
        )
        if subscriber.status != "active":
            _start_fresh(subscriber, now)
        subscriber.frequency = request.frequency
        subscriber.save()
        subscriber.topics.add(*Topic.objects.filter(pk__in=request.topic_ids))
        subscriber.people.add(*Person.objects.filter(pk__in=request.person_ids))
        subscriber.channels.add(*Channel.objects.filter(pk__in=request.channel_ids))
        for query in request.queries:
            SavedSearch.objects.get_or_create(subscriber=subscriber, query=query)
    return subscriber


def update_preferences(
    subscriber: Subscriber,
    *,
    frequency: str,
    topics: Iterable[Topic],
    people: Iterable[Person],
    channels: Iterable[Channel],
    queries: Iterable[str],
) -> Subscriber:
    """Replace what the subscriber follows and how often. The watermark stays: nothing is sent twice."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        subscriber.frequency = Frequency(frequency).value
        subscriber.save(update_fields=["frequency"])
        subscriber.topics.set(topics)
        subscriber.people.set(people)
        subscriber.channels.set(channels)
        wanted = {q.strip() for q in queries if q.strip()}
        subscriber.searches.exclude(query__in=wanted).delete()
        for query in wanted:
            SavedSearch.objects.get_or_create(subscriber=subscriber, query=query)
    return subscriber


def _cancel_waiting_digests(subscriber: Subscriber, reason: str) -> None:
    OutboxMessage.objects.pending_digests().filter(subscriber=subscriber).update(
        status=OutboxMessage.Status.CANCELLED, claimed_until=None, last_error=reason
    )


def pause(subscriber: Subscriber, *, now: dt.datetime | None = None) -> Subscriber:
    """No more digests until `resume`; a digest still waiting to go out is dropped."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.paused_at is None:
            subscriber.paused_at = now or timezone.now()
            subscriber.save(update_fields=["paused_at"])
        _cancel_waiting_digests(subscriber, "paused")
    return subscriber


def resume(subscriber: Subscriber) -> Subscriber:
    """Digests again, from clips published from now on."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.paused_at is not None:
            subscriber.paused_at = None
            subscriber.last_sequence = PublicationEvent.objects.high_mark()
            subscriber.save(update_fields=["paused_at", "last_sequence"])
    return subscriber


def unsubscribe(subscriber: Subscriber, *, now: dt.datetime | None = None) -> Subscriber:
    """Stop all mail to the subscriber at once, including a digest still waiting to go out. Idempotent."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.unsubscribed_at is None:
            subscriber.unsubscribed_at = now or timezone.now()
            subscriber.save(update_fields=["unsubscribed_at"])
        _cancel_waiting_digests(subscriber, "unsubscribed")
        PendingConfirmation.objects.for_address(subscriber.email).delete()  # links sent before: spent
    return subscriber


def resubscribe(subscriber: Subscriber, *, now: dt.datetime | None = None) -> Subscriber:
    """Undo an unsubscribe, or a rejection of the address, from the preferences link. Digests start
    again from clips published from now on."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.unsubscribed_at or subscriber.bounced_at:
            _start_fresh(subscriber, now or timezone.now())
            subscriber.save()
    return subscriber


def delete_subscriber(subscriber: Subscriber) -> None:
    """Delete everything kept about the address: the subscription, what it follows, and its mail."""
    with transaction.atomic():
        OutboxMessage.objects.filter(to_email=subscriber.email).delete()
        PendingConfirmation.objects.for_address(subscriber.email).delete()
        Subscriber.objects.filter(pk=subscriber.pk).delete()


def send_digests(period: str, **options) -> digests.RunReport:
    """Write and send the daily or weekly digests; see `digests.run_digests` for the options."""
    return digests.run_digests(Frequency(period).value, **options)


def deliver_outbox(*, now: dt.datetime | None = None) -> delivery.DeliveryReport:
    """Send every message that is due: new ones, and those waiting after a refusal or an outage."""
    return delivery.deliver_due(now=now)


def deliver_message(message_id: int, *, now: dt.datetime | None = None) -> delivery.DeliveryReport:
    """Send one message now if it is still due and no other sender holds it."""
    now = now or timezone.now()
    claimed = delivery.claim_due(now=now, only=message_id)
    return delivery.deliver(claimed, now=now)
