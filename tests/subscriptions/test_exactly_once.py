"""Exactly once: a crash in the middle of a run resends at most the message in flight, with the same
Message-ID, and never skips a clip. Crashes are simulated by raising where a killed process would stop."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from clipdesk.subscriptions import actions, delivery, digests, emails
from clipdesk.subscriptions.models import OutboxMessage, Subscriber
from factories.archive import ClipFactory, TopicFactory
from factories.subscriptions import SubscriberFactory, publish

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """Not an Exception: nothing in the code under test may catch it, as nothing survives a kill."""


def crash_on_call(monkeypatch, module, name: str, call: int):
    real = getattr(module, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise Crash(f"{name} call {call}")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return lambda: monkeypatch.setattr(module, name, real)


@pytest.fixture
def world():
    """Five subscribers following one topic, and three new clips on it."""
    topic = TopicFactory()
    readers = [SubscriberFactory(email=f"r{n}@example.org", topics=[topic]) for n in range(5)]
    clips = []
    for n in range(3):
        clip = ClipFactory(title=f"Clip {n}")
        clip.topics.add(topic)
        clips.append(publish(clip))
    return topic, readers, clips


def clip_deliveries(smtp) -> Counter:
    """(address, clip title) -> how many times it arrived, counting a resent Message-ID once."""
    seen, counts = set(), Counter()
    for received in smtp.received:
        if received["Message-ID"] in seen:
            continue
        seen.add(received["Message-ID"])
        for h2 in received.soup.find_all("h2"):
            counts[(received.rcpt_tos[0], h2.get_text())] += 1
    return counts


def in_minutes(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_a_crash_after_the_server_accepted_a_message_resends_only_that_one(smtp, world, monkeypatch):
    _, readers, clips = world
    restore = crash_on_call(monkeypatch, delivery, "_record_sent", call=2)  # killed before noting it sent
    with pytest.raises(Crash):
        actions.send_digests("daily", batch_size=2)
    restore()
    assert len(smtp.received) == 2  # the server has the message the crash interrupted
    in_flight = smtp.received[1]["Message-ID"]

    # A run soon after leaves the in-flight message alone: its sender's claim has not run out.
    actions.send_digests("daily", batch_size=2, now=in_minutes(1))
    assert len(smtp.received) == 5
    assert Counter(m["Message-ID"] for m in smtp.received)[in_flight] == 1

    # Once the claim has run out, the message in flight is sent again, as it was, and nothing else is.
    actions.send_digests("daily", batch_size=2, now=in_minutes(15))
    ids = Counter(m["Message-ID"] for m in smtp.received)
    assert len(smtp.received) == 6 and ids[in_flight] == 2 and set(ids.values()) == {1, 2}
    first, again = [m for m in smtp.received if m["Message-ID"] == in_flight]
    assert first.raw == again.raw  # the same message, byte for byte

    expected = Counter({(r.email, c.title): 1 for r in readers for c in clips})
    assert clip_deliveries(smtp) == expected
    assert OutboxMessage.objects.filter(status="sent").count() == 5


def test_a_crash_while_writing_digests_skips_nothing_and_repeats_nothing(smtp, world, monkeypatch):
    _, readers, clips = world
    restore = crash_on_call(monkeypatch, emails, "digest", call=4)  # in the second batch
    with pytest.raises(Crash):
        actions.send_digests("daily", batch_size=2)
    restore()
    assert len(smtp.received) == 2  # the first batch went out
    assert OutboxMessage.objects.count() == 2  # the second batch's transaction left nothing behind
    assert Subscriber.objects.filter(last_digest_at__isnull=True).count() == 3

    actions.send_digests("daily", batch_size=2)
    assert len(smtp.received) == 5
    assert clip_deliveries(smtp) == Counter({(r.email, c.title): 1 for r in readers for c in clips})
    assert len({m["Message-ID"] for m in smtp.received}) == 5


def test_a_crash_between_writing_and_sending_sends_each_digest_once(smtp, world, monkeypatch):
    _, readers, clips = world
    restore = crash_on_call(monkeypatch, digests.delivery, "deliver", call=1)
    with pytest.raises(Crash):
        actions.send_digests("daily", batch_size=5)
    restore()
    assert not smtp.received and OutboxMessage.objects.filter(status="pending").count() == 5

    # The next run finds them written and claimed; once the claim runs out they go, and no new ones are made.
    report = actions.send_digests("daily", now=in_minutes(15))
    assert report.delivery.sent == 5 and report.written == 0
    assert clip_deliveries(smtp) == Counter({(r.email, c.title): 1 for r in readers for c in clips})
    assert len(smtp.received) == 5


def test_two_runs_at_once_write_each_digest_once(smtp, world):
    slow = digests.DigestRun("daily", now=timezone.now(), dry_run=False, only_email=None, batch_size=10)
    [rows] = list(slow.batches())  # the slow run has read the watermarks ...
    actions.send_digests("daily")  # ... when another run does the whole job
    assert slow.build(rows) == []  # the watermarks moved: the slow run writes nothing
    assert len(smtp.received) == 5 and OutboxMessage.objects.count() == 5


def test_a_publication_whose_signal_was_lost_is_still_mailed(smtp, world):
    topic, _, _ = world
    actions.send_digests("daily")
    lost = ClipFactory(title="Lost signal")
    lost.topics.add(topic)
    from clipdesk.archive.actions import publish_clip

    publish_clip(lost, user=None)  # committed, but the process died before the after-commit signal
    actions.send_digests("daily")
    assert len(smtp.received) == 10
    assert all("Lost signal" in m.text for m in smtp.received[5:])


def test_a_run_sends_every_batch_on_one_connection(smtp, world):
    actions.send_digests("daily", batch_size=2)
    assert len(smtp.received) == 5
    assert len({m.peer for m in smtp.received}) == 1


def test_messages_waiting_in_the_outbox_go_out_on_one_connection(smtp, smtp_down, world):
    assert actions.send_digests("daily").delivery.held == 5
    smtp_down()  # the server is back
    assert delivery.deliver_due(batch_size=2).sent == 5
    assert len({m.peer for m in smtp.received}) == 1


def test_a_crash_while_working_out_the_next_batch_loses_and_repeats_nothing(smtp, world, monkeypatch):
    # The next batch is worked out while this one's messages are in flight, or after the last of them.
    _, readers, clips = world
    restore = crash_on_call(monkeypatch, digests, "_interests", call=2)
    with pytest.raises(Crash):
        actions.send_digests("daily", batch_size=2)
    restore()
    assert 1 <= len(smtp.received) <= 2
    assert OutboxMessage.objects.count() == 2  # the next batch is not written yet
    assert Subscriber.objects.filter(last_digest_at__isnull=True).count() == 3

    actions.send_digests("daily", batch_size=2, now=in_minutes(15))
    ids = Counter(m["Message-ID"] for m in smtp.received)
    assert len(ids) == 5 and sorted(ids.values()) in ([1, 1, 1, 1, 1], [1, 1, 1, 1, 2])
    assert clip_deliveries(smtp) == Counter({(r.email, c.title): 1 for r in readers for c in clips})
    assert OutboxMessage.objects.filter(status="sent").count() == 5


def test_a_failure_while_working_out_the_next_batch_still_records_the_message_in_flight(
    smtp, world, monkeypatch
):
    _, readers, clips = world
    real, calls = digests._interests, []

    def failing(subscriber_ids):
        calls.append(subscriber_ids)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(subscriber_ids)

    monkeypatch.setattr(digests, "_interests", failing)
    with pytest.raises(RuntimeError, match="went away"):
        actions.send_digests("daily", batch_size=2)
    monkeypatch.setattr(digests, "_interests", real)
    sent = OutboxMessage.objects.filter(status="sent")
    assert 1 <= len(smtp.received) == sent.count()  # whatever the server accepted is recorded
    assert {m["Message-ID"] for m in smtp.received} == set(sent.values_list("message_id", flat=True))

    actions.send_digests("daily", batch_size=2, now=in_minutes(15))
    assert len(smtp.received) == 5 and len({m["Message-ID"] for m in smtp.received}) == 5
    assert clip_deliveries(smtp) == Counter({(r.email, c.title): 1 for r in readers for c in clips})
