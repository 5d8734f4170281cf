"""What the SMTP server answers, and what happens then: retries with backoff, rejected addresses,
outages that lose nothing. Every refusal comes from the real aiosmtpd server."""

import datetime as dt

import pytest
from django.utils import timezone

from clipdesk.subscriptions import actions, delivery, tasks
from clipdesk.subscriptions.models import OutboxMessage
from factories.archive import ClipFactory, TopicFactory
from factories.subscriptions import SubscriberFactory, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return TopicFactory()


def new_clip(topic, title="A clip"):
    clip = ClipFactory(title=title)
    clip.topics.add(topic)
    return publish(clip)


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_a_temporary_refusal_is_retried_with_backoff_and_sent_once(smtp, topic):
    reader = SubscriberFactory(email="greylisted@example.org", topics=[topic])
    other = SubscriberFactory(email="fine@example.org", topics=[topic])
    new_clip(topic)
    smtp.rcpt_replies[reader.email] = "450 4.2.0 Greylisted, try again later"

    report = actions.send_digests("daily")

    assert (report.delivery.sent, report.delivery.deferred) == (1, 1)
    assert [m.rcpt_tos for m in smtp.received] == [[other.email]]
    message = OutboxMessage.objects.get(to_email=reader.email)
    assert message.status == "pending" and message.attempts == 1
    assert "450" in message.last_error and "Greylisted" in message.last_error
    assert message.next_attempt_at >= timezone.now() + dt.timedelta(seconds=50)

    assert actions.deliver_outbox().sent == 0  # not yet due: nothing is tried
    assert actions.deliver_outbox(now=later(1.5)).deferred == 1  # still greylisted: backs off further
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at > later(3)

    del smtp.rcpt_replies[reader.email]
    assert actions.deliver_outbox(now=later(4)).sent == 1
    [received] = smtp.to(reader.email)
    assert received["Message-ID"] == message.message_id
    assert actions.deliver_outbox(now=later(600)).sent == 0
    reader.refresh_from_db()
    assert reader.status == "active"


def test_a_temporary_refusal_of_the_data_is_retried_too(smtp, topic):
    reader = SubscriberFactory(topics=[topic])
    new_clip(topic)
    smtp.data_replies.append("451 4.3.0 Mail server temporarily rejected message")
    assert actions.send_digests("daily").delivery.deferred == 1
    assert not smtp.received
    assert actions.deliver_outbox(now=later(2)).sent == 1
    assert smtp.received[0].rcpt_tos == [reader.email]


def test_retries_stop_after_the_configured_attempts_without_blaming_the_address(smtp, topic, settings):
    settings.CLIPDESK_MAIL_MAX_ATTEMPTS = 2
    reader = SubscriberFactory(topics=[topic])
    new_clip(topic)
    smtp.rcpt_replies[reader.email] = "452 4.2.2 Mailbox full"
    actions.send_digests("daily")
    actions.deliver_outbox(now=later(2))
    message = OutboxMessage.objects.get()
    assert message.status == "failed" and message.attempts == 2
    reader.refresh_from_db()
    assert reader.status == "active"
    assert actions.deliver_outbox(now=later(600)).deferred == 0


def test_retry_delays_grow_and_are_capped():
    delays = [delivery.retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[:4] == [60, 120, 240, 480]
    assert delays == sorted(delays) and delays[-1] == 6 * 3600


def test_a_permanent_refusal_marks_the_address_and_stops_mail_to_it(smtp, topic):
    gone = SubscriberFactory(email="gone@example.org", topics=[topic])
    fine = SubscriberFactory(email="fine@example.org", topics=[topic])
    new_clip(topic)
    smtp.rcpt_replies[gone.email] = "550 5.1.1 No such user here"

    report = actions.send_digests("daily")

    assert (report.delivery.sent, report.delivery.rejected) == (1, 1)
    gone.refresh_from_db()
    assert gone.status == "address rejected" and gone.bounced_at is not None
    assert "550" in gone.bounce_reason and "No such user" in gone.bounce_reason
    assert OutboxMessage.objects.get(to_email=gone.email).status == "failed"

    del smtp.rcpt_replies[gone.email]
    new_clip(topic, "Second")
    report = actions.send_digests("daily")
    assert report.subscribers == 1 and smtp.to(gone.email) == [] and len(smtp.to(fine.email)) == 2


def test_a_permanent_refusal_of_the_data_marks_the_address_too(smtp, topic):
    reader = SubscriberFactory(topics=[topic])
    new_clip(topic)
    smtp.data_replies.append("554 5.7.1 Rejected")
    assert actions.send_digests("daily").delivery.rejected == 1
    reader.refresh_from_db()
    assert reader.status == "address rejected"


def test_nothing_is_lost_while_the_server_is_down(smtp, smtp_down, topic):
    readers = [SubscriberFactory(topics=[topic]) for _ in range(3)]
    new_clip(topic, "During the outage")

    report = actions.send_digests("daily")
    assert report.written == 3 and report.delivery.sent == 0 and report.delivery.held == 3
    assert "ConnectionRefusedError" in report.delivery.unreachable
    assert OutboxMessage.objects.filter(status="pending", attempts=0).count() == 3  # not counted against them

    new_clip(topic, "Still down")
    again = actions.send_digests("daily")  # waiting digests are not piled up
    assert again.waiting == 3 and again.written == 0
    assert actions.deliver_outbox().held == 3  # the minute-by-minute retry keeps them too

    smtp_down()  # the server is back
    tasks.retry_mail()  # the periodic task, run as the scheduler would
    assert sorted(m.rcpt_tos[0] for m in smtp.received) == sorted(r.email for r in readers)
    assert all("During the outage" in m.text and "Still down" not in m.text for m in smtp.received)

    actions.send_digests("daily")  # what was published during the outage comes next, once
    assert len(smtp.received) == 6
    assert all("Still down" in m.text for m in smtp.received[3:])
    actions.send_digests("daily")
    assert len(smtp.received) == 6


def test_a_confirmation_requested_while_the_server_is_down_arrives_later(
    client, smtp, smtp_down, topic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/subscribe/", {"email": "new@example.org", "frequency": "daily", "query": "x"}
        )
    assert response.status_code == 200 and not smtp.received
    message = OutboxMessage.objects.get(kind="confirmation")
    assert message.status == "pending"
    smtp_down()
    tasks.retry_mail()
    [received] = smtp.received
    assert received["Message-ID"] == message.message_id


def test_unsubscribing_cancels_a_digest_still_waiting(smtp, smtp_down, topic):
    reader = SubscriberFactory(topics=[topic])
    new_clip(topic)
    actions.send_digests("daily")
    actions.unsubscribe(reader)
    smtp_down()
    assert actions.deliver_outbox().sent == 0
    assert not smtp.received
    assert OutboxMessage.objects.get().status == "cancelled"


def test_two_senders_never_hold_the_same_message(smtp, topic):
    SubscriberFactory(topics=[topic])
    new_clip(topic)
    actions.send_digests("daily", dry_run=False, batch_size=1)
    OutboxMessage.objects.update(status="pending")  # as if it still had to go
    first = delivery.claim_due(now=timezone.now())
    assert len(first) == 1
    assert delivery.claim_due(now=timezone.now()) == []
    assert len(delivery.claim_due(now=later(11))) == 1  # a crashed sender's claim runs out
