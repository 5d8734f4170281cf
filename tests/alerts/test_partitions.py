"""The live lines' partitions: made ahead, rows the default partition caught moved out, whole days
dropped by retention on PostgreSQL; old days deleted on SQLite."""

import datetime as dt

import pytest
from django.db import connection

from clipdesk.alerts.models import LiveLine, NotTranscribed
from clipdesk.alerts.partitions import DEFAULT, maintain_partitions, partition_name, partitions
from recording.streams import add

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 20)


def line(source, day: dt.date, second: int = 0) -> LiveLine:
    start = dt.datetime.combine(day, dt.time(12, 0, second), dt.UTC)
    return LiveLine.objects.create(source=source, start=start, end=start + dt.timedelta(seconds=2), text="x")


def in_default() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT}")
        return cursor.fetchone()[0]


def test_partitions_are_made_ahead_and_old_days_go(settings):
    settings.CLIPDESK_LIVE_RETENTION_DAYS = 10
    settings.CLIPDESK_LIVE_PARTITION_DAYS = 3
    source = add("http://127.0.0.1:9/live.m3u8")
    old = line(source, TODAY - dt.timedelta(days=11))
    kept = [line(source, TODAY - dt.timedelta(days=2)), line(source, TODAY - dt.timedelta(days=2), 5)]
    today = line(source, TODAY)
    result = maintain_partitions(TODAY)
    remaining = set(LiveLine.objects.values_list("pk", flat=True))
    assert remaining == {kept[0].pk, kept[1].pk, today.pk}
    assert old.pk not in remaining
    if connection.vendor != "postgresql":
        assert result.deleted == 1
        return
    # The default partition caught every line (no partition existed); now each day has its own.
    assert in_default() == 0
    assert result.moved == {partition_name(TODAY - dt.timedelta(days=2)): 2, partition_name(TODAY): 1}
    made = partitions()
    assert {TODAY + dt.timedelta(days=n) for n in range(4)} <= set(made.values())
    # A line of a coming day goes straight to its partition.
    line(source, TODAY + dt.timedelta(days=1))
    assert in_default() == 0
    # Ten days later, the partition of the day 2 days before TODAY is dropped whole.
    later = maintain_partitions(TODAY + dt.timedelta(days=9))
    assert partition_name(TODAY - dt.timedelta(days=2)) in later.dropped
    assert not LiveLine.objects.filter(pk__in=[k.pk for k in kept]).exists()
    assert LiveLine.objects.filter(pk=today.pk).exists()
    # Running it again changes nothing.
    assert not maintain_partitions(TODAY + dt.timedelta(days=9)).changed


def test_spans_not_transcribed_go_with_the_recordings_retention(settings):
    """Past the recording retention a span's recording is gone: it cannot be transcribed again."""
    settings.CLIPDESK_RECORDING_RETENTION_DAYS = 30
    settings.CLIPDESK_LIVE_RETENTION_DAYS = 90
    source = add("http://127.0.0.1:9/live.m3u8")
    midnight = dt.datetime.combine(TODAY, dt.time(), dt.UTC)

    def span(ended_days_ago: float, status=NotTranscribed.Status.FAILED) -> NotTranscribed:
        end = midnight - dt.timedelta(days=ended_days_ago)
        return NotTranscribed.objects.create(
            source=source, start=end - dt.timedelta(seconds=20), end=end, reason="x", status=status
        )

    old = [span(31), span(30.01, NotTranscribed.Status.DONE), span(400, NotTranscribed.Status.QUEUED)]
    kept = [span(29.9), span(1), span(0)]
    result = maintain_partitions(TODAY)
    assert result.spans_deleted == len(old) and result.changed
    assert set(NotTranscribed.objects.values_list("pk", flat=True)) == {s.pk for s in kept}
    assert maintain_partitions(TODAY).spans_deleted == 0
    # When the live lines are kept for less time than the recordings, their retention applies.
    settings.CLIPDESK_LIVE_RETENTION_DAYS = 7
    assert maintain_partitions(TODAY).spans_deleted == 1
    assert set(NotTranscribed.objects.values_list("pk", flat=True)) == {kept[1].pk, kept[2].pk}


def test_a_retry_of_a_span_gone_by_retention_does_nothing():
    from clipdesk.alerts import actions, live

    source = add("http://127.0.0.1:9/live.m3u8")
    start = dt.datetime.combine(TODAY - dt.timedelta(days=60), dt.time(), dt.UTC)
    span = NotTranscribed.objects.create(
        source=source, start=start, end=start + dt.timedelta(seconds=20), reason="x"
    )
    maintain_partitions(TODAY)
    assert not NotTranscribed.objects.exists()
    assert live.retranscribe(span.pk) == []  # a job queued before the span went
    assert actions.store_retried_span(span.pk, []) == []
