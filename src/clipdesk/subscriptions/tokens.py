"""Signed links: the confirmation link, and the link to a subscriber's preferences.

A confirmation link carries the whole request (address, frequency, what to follow), signed and dated,
so nothing about an address is stored until its owner confirms. It expires after
`CLIPDESK_CONFIRM_MAX_AGE` seconds, and it works once: it names a `PendingConfirmation` that confirming
consumes, and that unsubscribing or deleting the subscriber removes (a link without one is refused).

A preferences link names the subscriber and their current key. It does not expire, because it sits
in every digest, including old ones; deleting the subscriber, or giving them a new key, revokes it.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from .models import PendingConfirmation, Subscriber

CONFIRM_SALT = "clipdesk.subscriptions.confirm"
MANAGE_SALT = "clipdesk.subscriptions.manage"
# One answer for a used link, a stale one, and one whose address was deleted: it reveals nothing.
SPENT = "This link has already been used or is no longer valid."


class InvalidLink(Exception):
    """The link was altered, has expired, or names a subscriber who no longer exists."""


def confirm_max_age() -> int:
    return settings.CLIPDESK_CONFIRM_MAX_AGE


@dataclass
class Request:
    """A subscription request, as the confirmation link carries it."""

    email: str
    frequency: str
    topic_ids: list[int] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    channel_ids: list[int] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    nonce: str = ""  # names the PendingConfirmation that makes the link usable


def confirmation_token(request: Request) -> str:
    payload = {
        "e": request.email,
        "f": request.frequency,
        "t": request.topic_ids,
        "p": request.person_ids,
        "c": request.channel_ids,
        "q": request.queries,
        "n": request.nonce,
    }
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def read_confirmation(token: str) -> Request:
    """The request a confirmation link carries, if the link is intact, in time and not yet used."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=confirm_max_age())
    except signing.SignatureExpired as exc:
        raise InvalidLink("This confirmation link has expired.") from exc
    except signing.BadSignature as exc:
        raise InvalidLink("This confirmation link is not valid.") from exc
    request = Request(
        email=payload["e"],
        frequency=payload["f"],
        topic_ids=payload["t"],
        person_ids=payload["p"],
        channel_ids=payload["c"],
        queries=payload["q"],
        nonce=payload.get("n", ""),
    )
    if not pending(request).exists():
        raise InvalidLink(SPENT)
    return request


def pending(request: Request):
    """The unused, unexpired link that `request` came with (an empty QuerySet once it is spent)."""
    from django.utils import timezone

    return PendingConfirmation.objects.for_address(request.email).filter(
        nonce=request.nonce or None, expires_at__gt=timezone.now()
    )


def manage_token(subscriber: Subscriber) -> str:
    return manage_token_for(subscriber.pk, subscriber.key)


def manage_token_for(subscriber_id: int, key: str) -> str:
    # Not timestamped: the same subscriber always gets the same link, so a digest rendered again
    # after a crash is the same message.
    return signing.Signer(salt=MANAGE_SALT).sign_object([subscriber_id, key])


def read_manage_token(token: str) -> Subscriber:
    try:
        subscriber_id, key = signing.Signer(salt=MANAGE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidLink("This link is not valid.") from exc
    subscriber = Subscriber.objects.filter(pk=subscriber_id, key=key).first()
    if subscriber is None:
        raise InvalidLink("This link is no longer valid: the subscription it belonged to is gone.")
    return subscriber
