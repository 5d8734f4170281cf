"""The schedule: daily and weekly digests, retries every minute, old mail forgotten."""

import datetime as dt

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from clipdesk.subscriptions import tasks
from clipdesk.subscriptions.models import OutboxMessage
from factories.archive import ClipFactory, TopicFactory
from factories.subscriptions import SubscriberFactory, publish

MONDAY = dt.datetime(2024, 1, 1)  # Huey keeps time in naive UTC


def at(day: dt.datetime, hour: int, minute: int = 0) -> dt.datetime:
    return day.replace(hour=hour, minute=minute)


def scheduled(task, days: int) -> list[dt.datetime]:
    """When the scheduler would enqueue `task`, minute by minute over `days` days from Monday."""
    minutes = (MONDAY + dt.timedelta(minutes=m) for m in range(days * 24 * 60))
    return [t for t in minutes if any(isinstance(p, task.task_class) for p in HUEY.read_periodic(t))]


def test_daily_digests_run_once_a_day_at_the_configured_hour():
    runs = scheduled(tasks.daily_digests, days=7)
    assert len(runs) == 7 and {(r.hour, r.minute) for r in runs} == {(6, 0)}


def test_weekly_digests_run_on_the_configured_day():
    assert scheduled(tasks.weekly_digests, days=14) == [at(MONDAY, 6), at(MONDAY + dt.timedelta(days=7), 6)]


def test_mail_is_retried_every_minute():
    assert len(scheduled(tasks.retry_mail, days=1)) == 24 * 60


def test_schedule_settings(settings):
    settings.CLIPDESK_DIGEST_HOUR = 18
    settings.CLIPDESK_DIGEST_WEEKDAY = "Sunday"
    assert (tasks.digest_hour(), tasks.digest_weekday()) == (18, 0)
    for value, number in (("fri", 5), ("6", 6), ("monday", 1)):
        settings.CLIPDESK_DIGEST_WEEKDAY = value
        assert tasks.digest_weekday() == number
    settings.CLIPDESK_DIGEST_WEEKDAY = "funday"
    with pytest.raises(ValueError, match="day of the week"):
        tasks.digest_weekday()
    settings.CLIPDESK_DIGEST_HOUR = 24
    with pytest.raises(ValueError, match="from 0 to 23"):
        tasks.digest_hour()


@pytest.mark.django_db
def test_the_periodic_tasks_send_digests(smtp):
    topic = TopicFactory()
    daily = SubscriberFactory(email="daily@example.org", topics=[topic])
    weekly = SubscriberFactory(email="weekly@example.org", topics=[topic], frequency="weekly")
    clip = ClipFactory()
    clip.topics.add(topic)
    publish(clip)
    tasks.daily_digests()
    assert [m.rcpt_tos for m in smtp.received] == [[daily.email]]
    tasks.weekly_digests()
    assert [m.rcpt_tos for m in smtp.received] == [[daily.email], [weekly.email]]


@pytest.mark.django_db
def test_old_mail_is_forgotten_but_waiting_mail_is_kept(smtp):
    now = timezone.now()
    for status in ("sent", "failed", "cancelled", "pending"):
        OutboxMessage.objects.create(
            kind="confirmation",
            to_email=f"{status}@example.org",
            message_id=f"<{status}@example.org>",
            subject="s",
            text_body="t",
            status=status,
            next_attempt_at=now + dt.timedelta(days=365),
        )
    recent = OutboxMessage.objects.create(
        kind="confirmation",
        to_email="new@example.org",
        message_id="<new@x>",
        subject="s",
        text_body="t",
        status="sent",
        next_attempt_at=now,
    )
    OutboxMessage.objects.exclude(pk=recent.pk).update(created_at=now - dt.timedelta(days=31))
    tasks.forget_old_mail()
    assert sorted(OutboxMessage.objects.values_list("to_email", flat=True)) == [
        "new@example.org",
        "pending@example.org",
    ]
