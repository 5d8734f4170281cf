"""Sending outbox messages through Django's email backend, and what each SMTP answer means.

- Accepted: the row is marked sent at once, in its own commit, so a crash can resend at most the
  message that was in flight when it happened (with the same Message-ID).
- Refused temporarily (4xx) for one message: it is tried again later, with a growing delay, up to
  `CLIPDESK_MAIL_MAX_ATTEMPTS` times.
- Refused permanently (5xx) for one message: the address is marked as rejected and gets no more mail.
- The server cannot be reached, or refuses us as a whole (greeting, login, sender): this message and
  the rest stay pending, untouched, for the next attempt a minute later. An outage loses nothing.

Senders claim the rows they work on for `CLIPDESK_OUTBOX_LEASE_SECONDS`, so two workers never send
the same message at once; a claim left by a crashed process runs out and the message is picked up again.
"""

import contextlib
import datetime as dt
import logging
import secrets
import smtplib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db
from django.db import transaction
from django.utils import timezone

from . import emails
from .courier import Courier, sender_for
from .models import OutboxMessage, Subscriber

log = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 6 * 3600

# Trouble with the server or with our own account, not with the recipient: nobody's address is to blame.
SERVER_TROUBLE = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPNotSupportedError,
    smtplib.SMTPServerDisconnected,
)


def max_attempts() -> int:
    return settings.CLIPDESK_MAIL_MAX_ATTEMPTS


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CLIPDESK_OUTBOX_LEASE_SECONDS)


def retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 ... minutes after each temporary refusal, at most six hours."""
    return dt.timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))


@dataclass
class DeliveryReport:
    sent: int = 0
    deferred: int = 0
    rejected: int = 0
    held: int = 0  # left pending because the server could not be reached
    unreachable: str = ""

    def add(self, other: "DeliveryReport") -> None:
        self.sent += other.sent
        self.deferred += other.deferred
        self.rejected += other.rejected
        self.held += other.held
        self.unreachable = self.unreachable or other.unreachable


class Refusal(Exception):
    def __init__(self, code: int, text: str):
        super().__init__(f"{code} {text}")
        self.code, self.text = code, text

    @property
    def permanent(self) -> bool:
        return self.code >= 500


def _refusal(exc: smtplib.SMTPException) -> Refusal | None:
    """The recipient-level refusal in `exc`, or None when the trouble is the server's."""
    if isinstance(exc, SERVER_TROUBLE):
        return None
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, text = next(iter(exc.recipients.values()))
        return Refusal(code, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        return Refusal(
            exc.smtp_code, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        )
    return None


def claim_due(*, now: dt.datetime, limit: int = 500, only: int | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` due messages (or only the message `only`) for this sender, oldest first."""
    token = secrets.token_hex(8)
    due = OutboxMessage.objects.due(now)
    if only is not None:
        due = due.filter(pk=only)
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    OutboxMessage.objects.filter(pk__in=ids).due(now).update(claim=token, claimed_until=now + lease())
    claimed = OutboxMessage.objects.filter(claim=token, status=OutboxMessage.Status.PENDING)
    return list(claimed.select_related("subscriber").order_by("pk"))


def _record_sent(message_id: int, now: dt.datetime) -> None:
    # Once per message sent, right after the server's answer: plain SQL, as the ORM's query
    # building would cost more than the write itself.
    table, key = db.ops.quote_name(OutboxMessage._meta.db_table), OutboxMessage._meta.pk.column
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, claimed_until = NULL, last_error = '' WHERE {key} = %s",
            [OutboxMessage.Status.SENT.value, db.ops.adapt_datetimefield_value(now), message_id],
        )


def release(message_ids: list[int]) -> None:
    """Let go of claimed messages: those still pending are due again at once."""
    OutboxMessage.objects.filter(pk__in=message_ids, status=OutboxMessage.Status.PENDING).update(
        claimed_until=None
    )


def _cancel(message: OutboxMessage, reason: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.CANCELLED, claimed_until=None, last_error=reason
    )


def _defer(message: OutboxMessage, refusal: Refusal, now: dt.datetime) -> bool:
    """Try again later; returns False when the message has had all its attempts."""
    attempts = message.attempts + 1
    gave_up = attempts >= max_attempts()
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=attempts,
        next_attempt_at=now + retry_delay(attempts),
        claimed_until=None,
        last_error=str(refusal)[:500],
        status=OutboxMessage.Status.FAILED if gave_up else OutboxMessage.Status.PENDING,
    )
    if gave_up:
        log.warning(
            "mail to %s given up after %d temporary refusals: %s", message.to_email, attempts, refusal
        )
    return not gave_up


def _reject(message: OutboxMessage, refusal: Refusal, now: dt.datetime) -> None:
    """The server refused the address for good: mark it, and stop every message still waiting for it."""
    reason = str(refusal)[:500]
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.FAILED, claimed_until=None, last_error=reason
        )
        Subscriber.objects.with_address(message.to_email).filter(bounced_at__isnull=True).update(
            bounced_at=now, bounce_reason=reason
        )
        OutboxMessage.objects.filter(to_email=message.to_email, status=OutboxMessage.Status.PENDING).update(
            status=OutboxMessage.Status.CANCELLED, claimed_until=None, last_error="address rejected"
        )
    log.info("address %s rejected by the mail server: %s", message.to_email, reason)


class MailSession:
    """One connection to the mail server and its courier, kept across `deliver` calls, so that a
    run's batches go out on one connection. It connects when first used; `close()` ends it."""

    def __init__(self):
        self._open = contextlib.ExitStack()
        self._courier: Courier | None = None
        self.prepare: Callable[[object], object] = lambda email: email

    def open(self) -> Courier:
        if self._courier is None:
            mailer = get_connection()
            mailer.open()
            self._open.callback(_quietly_close, mailer)
            self.prepare, send = sender_for(mailer)
            self._courier = self._open.enter_context(Courier(send))
        return self._courier

    def close(self) -> None:
        """Let the courier finish what is in flight, then close the connection."""
        self._courier = None
        self._open.close()

    def __enter__(self) -> "MailSession":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _quietly_close(mailer) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        mailer.close()


def deliver(
    messages: list[OutboxMessage],
    *,
    now: dt.datetime | None = None,
    renderer: emails.DigestRenderer | None = None,
    session: MailSession | None = None,
    meanwhile: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send claimed messages one by one on one connection. Never raises for mail trouble.

    Digests are rendered here, with `renderer` if the caller has one with clips rendered already.
    Each message is rendered while the one before it is in flight (see `Courier`); then, until the
    server answers, `meanwhile()` is called again and again to do a piece of other work (it returns
    False when none is left). On `session` the connection stays open for the caller's next call.
    """
    report = DeliveryReport()
    if not messages:
        return report
    now = now or timezone.now()
    renderer = renderer or emails.DigestRenderer()
    renderer.prepare(pk for m in messages for pk in m.clip_ids)
    todo = deque(messages)
    in_flight: OutboxMessage | None = None
    upcoming: tuple[OutboxMessage, object] | None = None
    failed: Exception | None = None
    with contextlib.ExitStack() as own:
        session = session or own.enter_context(MailSession())
        try:
            courier = session.open()
            while True:
                upcoming = _prepare_next(todo, renderer, session.prepare)
                if in_flight is not None:
                    failed = _meanwhile(courier, meanwhile)
                    _settle(in_flight, courier.outcome(), now, report)
                    in_flight = None
                if upcoming is None or failed is not None:
                    break
                courier.start(upcoming[1])
                in_flight, upcoming = upcoming[0], None
        except (smtplib.SMTPException, OSError) as exc:
            # Whatever was not sent stays pending as it was, to be tried again when the server is back.
            session.close()
            report.unreachable = f"{type(exc).__name__}: {exc}"
            unsent = [m for m in (in_flight, upcoming and upcoming[0]) if m is not None] + list(todo)
            release([m.pk for m in unsent])
            report.held += len(unsent)
            log.warning("mail server unavailable, %d message(s) kept for later: %s", len(unsent), exc)
    if failed is not None:
        raise failed  # the message that was in flight meanwhile is recorded; the rest stay claimed
    return report


def _meanwhile(courier: Courier, work: Callable[[], bool] | None) -> Exception | None:
    """Do pieces of `work` until the courier has the server's answer or the work is done; what
    the work raised is returned, for the caller to raise once it has recorded that answer."""
    try:
        while work is not None and not courier.answered() and work():
            pass
    except Exception as exc:
        return exc
    return None


def _prepare_next(
    todo: deque, renderer: emails.DigestRenderer, prepare
) -> tuple[OutboxMessage, object] | None:
    """The next message, ready for the courier; digests with nothing left in them are cancelled."""
    while todo:
        message = todo.popleft()
        email = _email(message, renderer)
        if email is not None:
            return message, prepare(email)
        _cancel(message, "none of its clips is published any more")
    return None


def _settle(
    message: OutboxMessage, error: BaseException | None, now: dt.datetime, report: DeliveryReport
) -> None:
    """Record the server's answer to one message; re-raise what is not about this message."""
    if error is None:
        _record_sent(message.pk, now)
        report.sent += 1
        return
    refusal = _refusal(error) if isinstance(error, smtplib.SMTPException) else None
    if refusal is None:
        raise error
    if refusal.permanent:
        _reject(message, refusal, now)
        report.rejected += 1
    elif _defer(message, refusal, now):
        report.deferred += 1
    else:
        report.rejected += 1


def _email(message: OutboxMessage, renderer: emails.DigestRenderer):
    if message.kind == OutboxMessage.Kind.DIGEST:
        return renderer.email(message, message.subscriber)
    return emails.confirmation_email(message)


def deliver_due(
    *, now: dt.datetime | None = None, batch_size: int = 500, session: MailSession | None = None
) -> DeliveryReport:
    """Send everything that is due, batch by batch on one connection, until none is left or the
    server is unavailable."""
    now = now or timezone.now()
    report = DeliveryReport()
    with contextlib.ExitStack() as own:
        session = session or own.enter_context(MailSession())
        while True:
            claimed = claim_due(now=now, limit=batch_size)
            if not claimed:
                return report
            batch = deliver(claimed, now=now, session=session)
            report.add(batch)
            if batch.unreachable:
                return report
