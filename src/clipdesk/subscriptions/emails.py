"""The messages this app sends: the confirmation, and the digest.

Every link in a message is absolute, built on `CLIPDESK_BASE_URL`. A digest run renders each clip
once and reuses it for every subscriber who gets that clip; the frame around the clips (greeting,
preference and unsubscribe links) is rendered once for each frequency and number of clips, and each
subscriber's links and clips are filled in (see `Frames`).
"""

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from email.utils import format_datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from clipdesk.archive.models import Clip

from . import mime, tokens
from .models import Frequency, OutboxMessage, Subscriber


def site_name() -> str:
    return settings.CLIPDESK_SITE_NAME


def absolute(path: str) -> str:
    return settings.CLIPDESK_BASE_URL.rstrip("/") + path


def mail_domain() -> str:
    return _hostname(settings.CLIPDESK_BASE_URL)


@functools.lru_cache(maxsize=8)
def _hostname(url: str) -> str:
    return urlsplit(url).hostname or "localhost"


def new_message_id(*parts: object) -> str:
    """A Message-ID fixed when the message is written; the random part keeps it unique for good."""
    local = ".".join(str(p) for p in (*parts, secrets.token_hex(6)))
    return f"<{local}@{mail_domain()}>"


def base_headers(now: dt.datetime) -> dict[str, str]:
    return {"From": settings.DEFAULT_FROM_EMAIL, "Date": format_datetime(now)}


def manage_urls(subscriber: Subscriber) -> tuple[str, str]:
    """The subscriber's preferences page and one-click unsubscribe address, absolute."""
    token = tokens.manage_token(subscriber)
    return (
        absolute(reverse("subscriptions:manage", args=[token])),
        absolute(reverse("subscriptions:unsubscribe", args=[token])),
    )


class ManageLinks:
    """`manage_urls` for many subscribers: the URL patterns are resolved once, not per digest."""

    PLACEHOLDER = "TOKEN-GOES-HERE"

    def __init__(self):
        self.manage, self.unsubscribe = (
            absolute(reverse(f"subscriptions:{name}", args=[self.PLACEHOLDER]))
            for name in ("manage", "unsubscribe")
        )

    def __call__(self, subscriber: Subscriber) -> tuple[str, str]:
        token = tokens.manage_token(subscriber)
        return self.manage.replace(self.PLACEHOLDER, token), self.unsubscribe.replace(self.PLACEHOLDER, token)


def list_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients offer one-click unsubscribe through these."""
    return {
        "List-Id": f"{site_name()} digests <digests.{mail_domain()}>",
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class OutboxEmail(EmailMultiAlternatives):
    """A text-and-HTML email whose bytes depend only on its content: the MIME boundary comes from
    the Message-ID, so a message sent again after a crash is the same bytes on the wire. The
    simple case is written directly (see `mime`); Django writes the rest."""

    def boundary(self) -> str:
        message_id = self.extra_headers.get("Message-ID", "")
        return "=_clipdesk_" + hashlib.sha256(message_id.encode()).hexdigest()[:32]

    def message(self):
        headers = [
            ("Subject", self.subject),
            ("From", self.extra_headers.get("From", self.from_email)),
            ("To", ", ".join(self.to)),
            *((k, v) for k, v in self.extra_headers.items() if k.lower() not in {"from", "to"}),
        ]
        simple = (
            len(self.alternatives) == 1
            and self.alternatives[0].mimetype == "text/html"
            and not (self.attachments or self.cc or self.reply_to)
            and {"message-id", "date"} <= {k.lower() for k in self.extra_headers}
            and (self.encoding or settings.DEFAULT_CHARSET).lower() == "utf-8"
        )
        if simple:
            fast = mime.serialize(
                headers=headers, text=self.body, html=self.alternatives[0].content, boundary=self.boundary()
            )
            if fast is not None:
                return fast
        message = super().message()
        if message.is_multipart():
            message.set_boundary(self.boundary())
        return message


def as_email(
    message: OutboxMessage, *, subject: str, text: str, html: str, extra_headers=None
) -> OutboxEmail:
    headers = {"Message-ID": message.message_id, **message.headers, **(extra_headers or {})}
    email = OutboxEmail(
        subject=subject,
        body=text,
        from_email=headers.get("From", settings.DEFAULT_FROM_EMAIL),
        to=[message.to_email],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email


@dataclass
class Follows:
    """Names of what a request or a subscriber follows, for messages and pages."""

    topics: list[str]
    people: list[str]
    channels: list[str]
    queries: list[str]


def confirmation(
    request: tokens.Request, follows: Follows, *, subscriber: Subscriber | None, now: dt.datetime
) -> OutboxMessage:
    """The one message an unconfirmed address can receive: a signed, expiring confirmation link.
    An address that is subscribed already also gets the link to its preferences."""
    token = tokens.confirmation_token(request)
    context = {
        "manage_url": manage_urls(subscriber)[0] if subscriber else "",
        "site_name": site_name(),
        "confirm_url": absolute(reverse("subscriptions:confirm", args=[token])),
        "frequency": Frequency(request.frequency).label.lower(),
        "follows": follows,
        "valid_days": max(1, round(tokens.confirm_max_age() / 86400)),
    }
    return OutboxMessage(
        kind=OutboxMessage.Kind.CONFIRMATION,
        subscriber=subscriber,
        to_email=request.email,
        message_id=new_message_id("confirm"),
        subject=f"Confirm your subscription to {site_name()}",
        text_body=get_template("subscriptions/email/confirm.txt").render(context),
        html_body=get_template("subscriptions/email/confirm.html").render(context),
        headers=base_headers(now),
        next_attempt_at=now,
    )


def digest(
    subscriber_id: int, email: str, clip_ids: list[int], *, first_sequence: int, last_sequence: int, now
) -> OutboxMessage:
    """A digest as the outbox keeps it: for whom, which clips in which order, and its Message-ID."""
    return OutboxMessage(
        kind=OutboxMessage.Kind.DIGEST,
        subscriber_id=subscriber_id,
        to_email=email,
        message_id=new_message_id("digest", subscriber_id, last_sequence),
        headers=base_headers(now),
        clip_ids=clip_ids,
        clip_count=len(clip_ids),
        first_sequence=first_sequence,
        last_sequence=last_sequence,
        next_attempt_at=now,
    )


class Frames:
    """A digest's two frame templates (HTML, text), rendered once for each set of shared values.

    What differs from one subscriber to the next (`PER_DIGEST`: their links and their clips) is
    rendered as a marker and put in afterwards, escaped exactly where the template escapes it: each
    marker ends in "<", which the template writes as "&lt;" where it escapes. Where a filter changes
    a marker in some other way, its random token still shows, and the templates are rendered for
    every digest instead.
    """

    PER_DIGEST = ("manage_url", "unsubscribe_url", "entries_html", "entries_text")

    def __init__(self, *templates):
        self.templates = templates
        self.token = secrets.token_hex(8)
        self.marker = re.compile(rf"{self.token}:(\w+):(<|&lt;)")
        self.filled: dict[tuple, list[list[str]] | None] = {}

    def render(self, context: dict) -> list[str]:
        shared = tuple((k, v) for k, v in context.items() if k not in self.PER_DIGEST)
        if shared not in self.filled:
            self.filled[shared] = self._split(context)
        pieces = self.filled[shared]
        if pieces is None:
            return [template.render(context) for template in self.templates]
        return [self._fill(parts, context) for parts in pieces]

    def _split(self, context: dict) -> list[list[str]] | None:
        """Each template rendered with markers, split into [text, name, form, text, name, form, ..., text]."""
        marked = {**context, **{name: f"{self.token}:{name}:<" for name in self.PER_DIGEST}}
        pieces = [self.marker.split(template.render(marked)) for template in self.templates]
        if any(self.token in text.lower() for parts in pieces for text in parts[::3]):
            return None  # a marker the template changed: it has to be rendered each time
        return pieces

    @staticmethod
    def _fill(parts: list[str], context: dict) -> str:
        out = [parts[0]]
        for at in range(1, len(parts), 3):
            name, form, text = parts[at : at + 3]
            # As the template writes a value: escaped unless marked safe, or written as it is.
            out += (conditional_escape(context[name]) if form == "&lt;" else str(context[name]), text)
        return "".join(out)


class DigestRenderer:
    """Renders digests. Each clip is rendered once, for every digest it appears in, and the frame
    around them once for each frequency and number of clips (see `Frames`)."""

    def __init__(self):
        self.entries: dict[int, tuple[str, str]] = {}
        self.frames = Frames(
            get_template("subscriptions/email/digest.html"), get_template("subscriptions/email/digest.txt")
        )
        self.links = ManageLinks()

    def prepare(self, clip_ids) -> None:
        """Render those of the clips not rendered yet that are still published."""
        from clipdesk.media.models import MediaAsset

        wanted = set(clip_ids) - set(self.entries)
        if not wanted:
            return
        clips = Clip.objects.published().filter(pk__in=wanted).select_related("channel")
        posters = {}
        # The newest poster of each clip: later assets overwrite earlier ones in this ordering.
        for asset in (
            MediaAsset.objects.filter(clip_id__in=wanted).exclude(poster="").order_by("created_at", "pk")
        ):
            posters[asset.clip_id] = asset
        html, text = (get_template(f"subscriptions/email/_clip.{ext}") for ext in ("html", "txt"))
        for clip in clips:
            context = {
                "clip": clip,
                "url": absolute(clip.get_absolute_url()),
                "summary": Truncator(clip.summary).words(80),
                "poster_url": self._poster_url(posters.get(clip.pk)),
            }
            self.entries[clip.pk] = (html.render(context), text.render(context))

    @staticmethod
    def _poster_url(asset) -> str:
        if asset is None:
            return ""
        # The media app serves posters at an address of its own; otherwise the storage's address.
        url = getattr(asset, "poster_url", None) or asset.poster.url
        return url if urlsplit(url).scheme else absolute(url)

    def email(self, message: OutboxMessage, subscriber: Subscriber) -> OutboxEmail | None:
        """The digest ready to send, or None when none of its clips is still published."""
        self.prepare(message.clip_ids)
        clip_ids = [pk for pk in message.clip_ids if pk in self.entries]
        if not clip_ids:
            return None
        manage_url, unsubscribe_url = self.links(subscriber)
        count = len(clip_ids)
        frequency = Frequency(subscriber.frequency).label.lower()
        subject = f"{site_name()} {frequency} digest: {count} new clip{'s' if count != 1 else ''}"
        context = {
            "site_name": site_name(),
            "subject": subject,
            "frequency": frequency,
            "count": count,
            "archive_url": absolute("/"),
            "manage_url": manage_url,
            "unsubscribe_url": unsubscribe_url,
            "entries_html": mark_safe("".join(self.entries[pk][0] for pk in clip_ids)),  # rendered escaped
            "entries_text": "\n".join(self.entries[pk][1] for pk in clip_ids),
        }
        html, text = self.frames.render(context)
        return as_email(
            message, subject=subject, text=text, html=html, extra_headers=list_headers(unsubscribe_url)
        )


def confirmation_email(message: OutboxMessage) -> OutboxEmail:
    return as_email(message, subject=message.subject, text=message.text_body, html=message.html_body)
