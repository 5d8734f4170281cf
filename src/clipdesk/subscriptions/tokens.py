"""Signed links: the confirmation link, and the link to a subscriber's preferences.

A confirmation link carries the whole request (address, frequency, what to follow), signed and dated,
so nothing about an address is stored until its owner confirms. It expires after
`CLIPDESK_CONFIRM_MAX_AGE` seconds.

A preferences link names the subscriber and their current key. It does not expire, because it sits
in every digest, including old ones; deleting the subscriber, or giving them a new key, revokes it.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from .models import Subscriber

CONFIRM_SALT = "clipdesk.subscriptions.confirm"
MANAGE_SALT = "clipdesk.subscriptions.manage"
DEFAULT_CONFIRM_MAX_AGE = 3 * 24 * 3600


class InvalidLink(Exception):
    """The link was altered, has expired, or names a subscriber who no longer exists."""


def confirm_max_age() -> int:
    return int(getattr(settings, "CLIPDESK_CONFIRM_MAX_AGE", DEFAULT_CONFIRM_MAX_AGE))


@dataclass
class Request:
    """A subscription request, as the confirmation link carries it."""

    email: str
    frequency: str
    topic_ids: list[int] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    channel_ids: list[int] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)


def confirmation_token(request: Request) -> str:
    payload = {
        "e": request.email,
        "f": request.frequency,
        "t": request.topic_ids,
        "p": request.person_ids,
        "c": request.channel_ids,
        "q": request.queries,
    }
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def read_confirmation(token: str) -> Request:
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=confirm_max_age())
    except signing.SignatureExpired as exc:
        raise InvalidLink("This confirmation link has expired.") from exc
    except signing.BadSignature as exc:
        raise InvalidLink("This confirmation link is not valid.") from exc
    return Request(
        email=payload["e"],
        frequency=payload["f"],
        topic_ids=payload["t"],
        person_ids=payload["p"],
        channel_ids=payload["c"],
        queries=payload["q"],
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
