"""`clipdesk digest --period daily|weekly [--dry-run] [--to ADDRESS]`."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from clipdesk.cli import main
from clipdesk.subscriptions.models import OutboxMessage
from factories.archive import ClipFactory, TopicFactory
from factories.subscriptions import SubscriberFactory, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_readers():
    topic = TopicFactory()
    readers = [SubscriberFactory(email=f"r{n}@example.org", topics=[topic]) for n in range(2)]
    clip = ClipFactory()
    clip.topics.add(topic)
    publish(clip)
    return readers


def digest(*args) -> str:
    out = io.StringIO()
    call_command("digest", *args, stdout=out)
    return out.getvalue()


def test_a_run_by_hand_sends_and_reports(smtp, two_readers):
    output = digest("--period", "daily")
    assert "daily digests: 2 subscriber(s) due, 2 digest(s) written (2 clips)" in output
    assert "mail: 2 sent, 0 deferred, 0 rejected, 0 held" in output
    assert len(smtp.received) == 2
    assert "0 digest(s) written" in digest("--period", "daily")  # nothing new the second time
    assert len(smtp.received) == 2


def test_dry_run_shows_and_changes_nothing(smtp, two_readers):
    before = [(r.pk, r.last_sequence) for r in two_readers]
    output = digest("--period", "daily", "--dry-run")
    assert "would send 1 clip to r0@example.org" in output and "would send 1 clip to r1@example.org" in output
    assert "2 digest(s) would be written" in output and "Dry run: nothing was written or sent." in output
    assert not smtp.received and not OutboxMessage.objects.exists()
    for reader, (pk, sequence) in zip(two_readers, before, strict=True):
        reader.refresh_from_db()
        assert (reader.pk, reader.last_sequence) == (pk, sequence)
    digest("--period", "daily")
    assert len(smtp.received) == 2  # the dry run took nothing away


def test_to_sends_only_that_subscribers_digest(smtp, two_readers):
    output = digest("--period", "daily", "--to", "R1@example.org")
    assert "1 subscriber(s) due" in output
    assert [m.rcpt_tos for m in smtp.received] == [["r1@example.org"]]
    digest("--period", "daily")
    assert [m.rcpt_tos for m in smtp.received] == [["r1@example.org"], ["r0@example.org"]]


def test_to_an_address_that_is_not_due_is_an_error(smtp, two_readers):
    with pytest.raises(CommandError, match=r"No subscriber with the address nobody@example\.org"):
        digest("--period", "daily", "--to", "nobody@example.org")
    with pytest.raises(CommandError, match="is due a weekly digest"):
        digest("--period", "weekly", "--to", "r0@example.org")


def test_period_is_required_and_checked():
    with pytest.raises(CommandError):
        call_command("digest", "--period", "hourly")
    with pytest.raises(CommandError):
        call_command("digest")


def test_an_unavailable_server_fails_the_command_and_keeps_the_mail(smtp, smtp_down, two_readers):
    with pytest.raises(CommandError, match=r"mail server is unavailable.*2 message\(s\) stay in the outbox"):
        digest("--period", "daily")
    assert OutboxMessage.objects.filter(status="pending").count() == 2


def test_a_terminal_gets_a_progress_bar(smtp, two_readers, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    output = digest("--period", "daily")
    assert "2 digest(s) written" in output
    assert "daily digests" in terminal.getvalue()
    assert len(smtp.received) == 2


def test_help(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["clipdesk", "digest", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "usage: clipdesk digest" in out and "--dry-run" in out and "--to ADDRESS" in out
