"""Personal data of subscribers: the retention of subscriptions that lapsed or were never confirmed,
old mail, and erasing one address on request (see clipdesk.privacy for the whole table).

Subscribers keep no history and nothing anonymous is worth keeping of them, so they are deleted,
with what they follow and the mail written to them, as "delete all my data" does.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q

from clipdesk.privacy import Report, retention

from .models import OutboxMessage, Subscriber, normalize_email

KEEP_SENT_DAYS = 30


def expired_subscribers(now: dt.datetime):
    unconfirmed_before = now - dt.timedelta(days=retention("CLIPDESK_RETAIN_UNCONFIRMED_DAYS"))
    lapsed_before = now - dt.timedelta(days=retention("CLIPDESK_RETAIN_LAPSED_SUBSCRIBERS_DAYS"))
    return Subscriber.objects.filter(
        Q(confirmed_at__isnull=True, created_at__lt=unconfirmed_before)
        | Q(unsubscribed_at__lt=lapsed_before)
        | Q(bounced_at__lt=lapsed_before)
    ).order_by("pk")


def old_mail(now: dt.datetime):
    """Sent, failed and cancelled messages past KEEP_SENT_DAYS: they hold addresses, kept a while for
    support. Mail still waiting to go is kept until it is sent or given up."""
    sent_before = now - dt.timedelta(days=KEEP_SENT_DAYS)
    return OutboxMessage.objects.exclude(status=OutboxMessage.Status.PENDING).filter(
        created_at__lt=sent_before
    )


def forget_old_mail(now: dt.datetime, *, dry_run: bool = False) -> int:
    messages = old_mail(now)
    if dry_run:
        return messages.count()
    deleted, _ = messages.delete()
    return deleted


def _delete(subscribers) -> int:
    """Delete the subscribers, what they follow, and every message written to their addresses."""
    emails = list(subscribers.values_list("email", flat=True))
    OutboxMessage.objects.filter(to_email__in=emails).delete()
    deleted = len(emails)
    subscribers.delete()
    return deleted


def purge(report: Report, *, now: dt.datetime, dry_run: bool, tracker) -> None:
    subscribers = expired_subscribers(now)
    if dry_run:
        report.add("subscribers", subscribers.count())
        report.add("mail", forget_old_mail(now, dry_run=True))
        return
    bar = tracker.bar("subscribers and mail", 2)
    with transaction.atomic():
        report.add("subscribers", _delete(subscribers))
    bar.advance()
    with transaction.atomic():
        report.add("mail", forget_old_mail(now))
    bar.advance()


def erase(email: str, report: Report, *, user, now: dt.datetime) -> None:
    """Delete the subscription of `email` and all mail written to it. Call inside a transaction."""
    deleted, _ = OutboxMessage.objects.filter(to_email__iexact=email.strip()).delete()
    report.add("mail", deleted)
    report.add("subscribers", _delete(Subscriber.objects.filter(email=normalize_email(email))))
