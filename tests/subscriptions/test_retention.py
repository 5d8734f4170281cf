"""Subscribers' data: retention of lapsed and unconfirmed subscriptions, and erasure on request."""

import datetime as dt

import pytest
from django.utils import timezone

from clipdesk.operations.actions import erase_personal_data, purge_personal_data
from clipdesk.subscriptions.models import OutboxMessage, SavedSearch, Subscriber
from factories.subscriptions import SubscriberFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def mail_to(subscriber: Subscriber, *, days_ago: int = 0, status: str = "sent") -> OutboxMessage:
    message = OutboxMessage.objects.create(
        kind="confirmation",
        subscriber=subscriber,
        to_email=subscriber.email,
        message_id=f"<{subscriber.pk}.{days_ago}@example.org>",
        subject="Confirm",
        text_body=f"Hello {subscriber.email}",
        status=status,
        next_attempt_at=NOW,
    )
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=NOW - dt.timedelta(days=days_ago))
    return message


def test_lapsed_and_unconfirmed_subscribers_are_deleted_after_their_retention(settings):
    settings.CLIPDESK_RETAIN_LAPSED_SUBSCRIBERS_DAYS = 90
    settings.CLIPDESK_RETAIN_UNCONFIRMED_DAYS = 30
    active = SubscriberFactory(searches=["minister"])
    unsubscribed = SubscriberFactory(unsubscribed_at=NOW - dt.timedelta(days=91), searches=["war"])
    SubscriberFactory(bounced_at=NOW - dt.timedelta(days=100), bounce_reason="550 no such user")
    just_left = SubscriberFactory(unsubscribed_at=NOW - dt.timedelta(days=10))
    unconfirmed = SubscriberFactory(confirmed_at=None)
    Subscriber.objects.filter(pk=unconfirmed.pk).update(created_at=NOW - dt.timedelta(days=31))
    mail_to(unsubscribed, days_ago=5)

    report = purge_personal_data(now=NOW)

    assert report.counts["subscribers"] == 3
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {active.pk, just_left.pk}
    assert list(SavedSearch.objects.values_list("query", flat=True)) == ["minister"]
    assert not OutboxMessage.objects.filter(to_email=unsubscribed.email).exists()
    assert purge_personal_data(now=NOW).counts["subscribers"] == 0


def test_old_mail_is_purged_and_mail_waiting_to_go_is_kept():
    subscriber = SubscriberFactory()
    old = mail_to(subscriber, days_ago=31)
    waiting = mail_to(subscriber, days_ago=40, status="pending")
    recent = mail_to(subscriber, days_ago=2)
    assert purge_personal_data(now=NOW, dry_run=True).counts["mail"] == 1
    assert purge_personal_data(now=NOW).counts["mail"] == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


def test_erasure_deletes_the_subscription_and_its_mail(roles):
    subscriber = SubscriberFactory(email="reader@example.org", searches=["elections"])
    mail_to(subscriber, days_ago=1)
    other = SubscriberFactory()

    report = erase_personal_data("Reader@Example.org", user=roles["desk"])

    assert (report.counts["subscribers"], report.counts["mail"]) == (1, 1)
    assert list(Subscriber.objects.all()) == [other]
    assert not SavedSearch.objects.exists()
    assert not OutboxMessage.objects.filter(to_email__iexact="reader@example.org").exists()
