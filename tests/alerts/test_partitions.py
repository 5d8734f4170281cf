"""The live lines' partitions: made ahead, rows the default partition caught moved out, whole days
dropped by retention on PostgreSQL; old days deleted on SQLite."""

import datetime as dt

import pytest
from django.db import connection

from clipdesk.alerts.models import LiveLine
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
