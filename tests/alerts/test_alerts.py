"""Alerts: raised once per watchlist and line as lines are stored, across languages, never twice for
retries or for the same words heard again by an overlapping window; emailed in batches per watchlist."""

import datetime as dt

import pytest

from alerts.conftest import AIR, store
from clipdesk.alerts import actions
from clipdesk.alerts.models import Alert, AlertEmail, Watchlist
from clipdesk.alerts.signals import lines_stored

pytestmark = pytest.mark.django_db


def watchlist(monitor, *terms, sources=(), **fields):
    made = actions.create_watchlist(user=monitor, name="Gaza", sources=sources, **fields)
    for kind, value in terms:
        actions.add_watch_term(made, user=monitor, kind=kind, value=value)
    return made


def test_english_and_arabic_watchlists_match_across_languages(source, monitor):
    english = watchlist(monitor, ("term", "ceasefire"))
    arabic = watchlist(monitor, ("term", "هدنة"))
    [ar_line, truce_line] = store(
        source,
        (AIR, "أعلن وقف إطلاق النار", {"english": "A ceasefire was announced"}),
        (AIR + dt.timedelta(seconds=10), "والهدنة صامدة", {"english": "And the truce holds"}),
        (AIR + dt.timedelta(seconds=20), "The truce holds, no ceasefire talk", {"language": "en"}),
    )[:2]
    assert sorted(a.line_id for a in english.alerts.all()) == [ar_line.pk, ar_line.pk + 2]
    # The Arabic term finds the Arabic original (normalized, stemmed), not an English line on the truce.
    assert [(a.line_id, a.matched) for a in arabic.alerts.all()] == [(truce_line.pk, "هدنة")]
    english.alerts.filter(line_id=ar_line.pk + 2).delete()
    alert = english.alerts.get()
    # The alert keeps a copy of the line: lines go with their day's partition.
    assert (alert.text, alert.english, alert.language) == (ar_line.text, ar_line.english, "ar")
    assert alert.air_time == AIR  # matched in the draft: the line's start


def test_a_match_is_alerted_once_across_retries_and_overlapping_windows(source, monitor):
    watched = watchlist(monitor, ("term", "ceasefire"))
    [first] = store(source, (AIR, "ceasefire now", {"language": "en"}))
    # The signal again (a retried job), and the same words transcribed again by an overlapping window:
    # a line of its own, a few hundred milliseconds off.
    lines_stored.send(sender=None, source_id=source.pk, line_ids=[first.pk])
    actions.raise_alerts(source.pk, [first.pk])
    store(
        source,
        (
            AIR + dt.timedelta(milliseconds=400),
            "a ceasefire now",
            {"language": "en", "words": [[0, 100, "a", 0.9], [100, 500, "ceasefire", 0.9]]},
        ),
    )
    assert watched.alerts.count() == 1
    # The same word said again later is a new alert.
    store(source, (AIR + dt.timedelta(seconds=30), "ceasefire again", {"language": "en"}))
    assert watched.alerts.count() == 2


def test_a_watchlist_listens_only_to_its_channels(source, other_source, monitor):
    mine = watchlist(monitor, ("term", "ceasefire"), sources=[other_source])
    everywhere = watchlist(monitor, ("term", "ceasefire"))
    store(source, (AIR, "ceasefire", {"language": "en"}))
    assert mine.alerts.count() == 0 and everywhere.alerts.count() == 1
    store(other_source, (AIR, "ceasefire", {"language": "en"}))
    assert mine.alerts.count() == 1 and everywhere.alerts.count() == 2
    Watchlist.objects.filter(pk=everywhere.pk).update(active=False)
    store(other_source, (AIR + dt.timedelta(minutes=1), "ceasefire", {"language": "en"}))
    assert everywhere.alerts.count() == 2


def test_emails_are_batched_per_watchlist_at_most_every_n_minutes(source, monitor, smtp, settings):
    settings.CLIPDESK_BASE_URL = "http://clips.test"
    watched = watchlist(monitor, ("term", "ceasefire"), email="desk@example.org", email_minutes=10)
    now = AIR + dt.timedelta(minutes=1)
    store(
        source,
        (AIR, "ceasefire one", {"language": "en"}),
        (AIR + dt.timedelta(seconds=20), "ceasefire two", {"language": "en"}),
    )
    actions.batch_alert_emails(now=now)
    assert actions.deliver_alert_emails(now=now) == 1
    [message] = smtp.received
    assert message["To"] == "desk@example.org"
    body = message.text
    assert "ceasefire one" in body and "ceasefire two" in body
    assert "http://clips.test/staff/channels/al-manar-tv/timeline/?t=2026-03-02T08:59:45Z" in body
    # A new alert within the ten minutes waits; the next run after them sends it; nothing goes twice.
    store(source, (AIR + dt.timedelta(minutes=2), "ceasefire three", {"language": "en"}))
    actions.batch_alert_emails(now=now + dt.timedelta(minutes=5))
    assert actions.deliver_alert_emails(now=now + dt.timedelta(minutes=5)) == 0
    actions.batch_alert_emails(now=now + dt.timedelta(minutes=10))
    assert actions.deliver_alert_emails(now=now + dt.timedelta(minutes=10)) == 1
    assert actions.deliver_alert_emails(now=now + dt.timedelta(minutes=30)) == 0
    assert len(smtp.received) == 2 and "ceasefire three" in smtp.received[1].text
    assert "ceasefire one" not in smtp.received[1].text
    assert watched.alerts.filter(email__isnull=True).count() == 0


def test_an_email_the_server_refuses_waits_and_is_sent_once(source, monitor, smtp):
    watchlist(monitor, ("term", "ceasefire"), email="desk@example.org", email_minutes=1)
    store(source, (AIR, "ceasefire", {"language": "en"}))
    [email] = actions.batch_alert_emails(now=AIR)
    smtp.data_replies.append("451 4.3.0 try again later")
    assert actions.deliver_alert_emails(now=AIR) == 0
    email.refresh_from_db()
    assert email.status == AlertEmail.Status.PENDING and "451" in email.last_error
    assert actions.deliver_alert_emails(now=AIR + dt.timedelta(minutes=2)) == 1
    assert actions.deliver_alert_emails(now=AIR + dt.timedelta(hours=1)) == 0
    assert len(smtp.received) == 1
    assert smtp.received[0]["Message-ID"] == f"<alert-email-{email.pk}@127.0.0.1>"


def test_a_failing_match_is_retried_by_the_worker(source, monitor, monkeypatch):
    watched = watchlist(monitor, ("term", "ceasefire"))
    calls = []
    real = actions.raise_alerts

    def flaky(source_id, line_ids):
        calls.append(line_ids)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(source_id, line_ids)

    monkeypatch.setattr(actions, "raise_alerts", flaky)
    store(source, (AIR, "ceasefire", {"language": "en"}))  # tests run enqueued jobs at once
    assert len(calls) == 2 and watched.alerts.count() == 1
    assert Alert.objects.count() == 1
