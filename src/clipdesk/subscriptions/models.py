"""Subscribers, what they follow, the publication sequence digests are cut from, and the mail outbox.

Subscribers are personal data: they carry no change history, so that "delete all my data" deletes it.
"""

import secrets

from django.db import models
from django.db.models import Max, Q

from clipdesk.archive.models import Channel, Clip, Person, Topic


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class PublicationEventQuerySet(models.QuerySet):
    def high_mark(self) -> int:
        """The highest sequence appended so far (0 before the first)."""
        return self.aggregate(m=Max("sequence"))["m"] or 0

    def published_between(self, after: int, through: int) -> "PublicationEventQuerySet":
        return self.filter(kind=PublicationEvent.Kind.PUBLISHED, sequence__gt=after, sequence__lte=through)


class PublicationEvent(models.Model):
    """One line of the append-only publication log.

    `sequence` comes from a counter locked for the length of the appending transaction, so events
    become visible in sequence order: once a reader sees sequence N, every event below N is there.
    Digest watermarks are positions in this log.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    sequence = models.PositiveBigIntegerField(unique=True)
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="publication_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = PublicationEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        constraints = [models.UniqueConstraint(fields=["clip", "kind"], name="one_event_per_clip_and_kind")]

    def __str__(self) -> str:
        return f"{self.sequence} {self.kind} clip {self.clip_id}"


class SubscriberQuerySet(models.QuerySet):
    def with_address(self, email: str) -> "SubscriberQuerySet":
        return self.filter(email=normalize_email(email))

    def receiving(self) -> "SubscriberQuerySet":
        """Confirmed subscribers who have not paused, unsubscribed or had their address rejected."""
        return self.filter(
            confirmed_at__isnull=False,
            paused_at__isnull=True,
            unsubscribed_at__isnull=True,
            bounced_at__isnull=True,
        )

    def due(self, frequency: str) -> "SubscriberQuerySet":
        return self.receiving().filter(frequency=frequency)


def normalize_email(email: str) -> str:
    """One spelling per mailbox, so an address cannot subscribe twice by changing case."""
    return email.strip().lower()


def new_key() -> str:
    return secrets.token_urlsafe(16)


class Subscriber(models.Model):
    email = models.EmailField(max_length=254, unique=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    key = models.CharField(
        max_length=32, default=new_key, help_text="Part of every link we send; a new key revokes old links."
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscribers")
    people = models.ManyToManyField(
        Person, blank=True, related_name="subscribers", help_text="People and organisations."
    )
    channels = models.ManyToManyField(Channel, blank=True, related_name="subscribers")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(
        null=True, blank=True, help_text="The mail server rejected the address for good; no more mail."
    )
    bounce_reason = models.CharField(max_length=500, blank=True)
    last_sequence = models.PositiveBigIntegerField(
        default=0, help_text="Watermark: digests so far cover the publication log up to here."
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def status(self) -> str:
        if self.bounced_at:
            return "address rejected"
        if self.unsubscribed_at:
            return "unsubscribed"
        if not self.confirmed_at:
            return "unconfirmed"
        if self.paused_at:
            return "paused"
        return "active"


class SavedSearch(models.Model):
    """A search whose new results a subscriber gets by email."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="searches")
    query = models.CharField(max_length=200)

    class Meta:
        ordering = ["query"]
        verbose_name_plural = "saved searches"
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "query"], name="unique_search_per_subscriber")
        ]

    def __str__(self) -> str:
        return self.query


class OutboxQuerySet(models.QuerySet):
    def due(self, now) -> "OutboxQuerySet":
        """Pending messages whose next attempt has come and that no running sender holds."""
        return self.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        )

    def pending_digests(self) -> "OutboxQuerySet":
        return self.filter(kind=OutboxMessage.Kind.DIGEST, status=OutboxMessage.Status.PENDING)


class OutboxMessage(models.Model):
    """A message written down, with its Message-ID and Date, before any attempt to send it.

    A confirmation keeps its text. A digest keeps what it is made of (the clips, in order, and the
    stretch of the publication log they cover) and is rendered when it is sent: a digest is written
    for every subscriber on every run, and their rendered bodies would outweigh the archive. Sent
    again after a crash, it is the same message with the same Message-ID; a clip withdrawn in the
    meantime is left out.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        DIGEST = "digest", "Digest"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    to_email = models.EmailField(max_length=254)
    message_id = models.CharField(max_length=250, unique=True)
    subject = models.CharField(max_length=300, blank=True)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    clip_ids = models.JSONField(default=list, blank=True, help_text="A digest's clips, in order.")
    headers = models.JSONField(default=dict, blank=True)
    first_sequence = models.PositiveBigIntegerField(null=True, blank=True)
    last_sequence = models.PositiveBigIntegerField(null=True, blank=True)
    clip_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0, help_text="Temporary refusals so far.")
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            # A digest covers one stretch of the publication log, once.
            models.UniqueConstraint(
                fields=["subscriber", "last_sequence"],
                condition=Q(kind="digest"),
                name="one_digest_per_subscriber_and_watermark",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"


def address_digest(email: str) -> str:
    """A keyed hash of an address: enough to find its pending links, not to read the address back."""
    from django.utils.crypto import salted_hmac

    return salted_hmac(
        "clipdesk.subscriptions.pending", normalize_email(email), algorithm="sha256"
    ).hexdigest()


class PendingConfirmationQuerySet(models.QuerySet):
    def for_address(self, email: str) -> "PendingConfirmationQuerySet":
        return self.filter(address=address_digest(email))

    def expired(self, now) -> "PendingConfirmationQuerySet":
        return self.filter(expires_at__lte=now)


class PendingConfirmation(models.Model):
    """A confirmation link sent and not used yet; its signed token names this row's nonce.

    Confirming deletes the row, so a link works once; unsubscribing or deleting the subscriber deletes
    the address's rows, so a link mailed earlier cannot undo either. The address is kept only as a
    keyed hash, and only until the link would have expired anyway.
    """

    nonce = models.CharField(max_length=32, unique=True)
    address = models.CharField(max_length=64, db_index=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = PendingConfirmationQuerySet.as_manager()

    def __str__(self) -> str:
        return f"confirmation link {self.nonce[:6]}… (until {self.expires_at:%Y-%m-%d %H:%M})"
