"""The live lines' table: one line per channel and start, found by air time; partitioned by day on
PostgreSQL, a plain table on SQLite."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from clipdesk.alerts.models import LiveLine
from recording.streams import add

pytestmark = pytest.mark.django_db
MIDNIGHT = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)


def line(source, start, seconds=4.0, text="وقف إطلاق النار"):
    return LiveLine.objects.create(
        source=source,
        start=start,
        end=start + dt.timedelta(seconds=seconds),
        language="ar",
        text=text,
        english="ceasefire",
        words=[[0, 900, "وقف", 0.9]],
    )


def test_a_line_is_filed_under_the_utc_day_it_starts():
    source = add("http://127.0.0.1:9/live.m3u8")
    before = line(source, MIDNIGHT - dt.timedelta(seconds=2))
    after = line(source, MIDNIGHT + dt.timedelta(seconds=3))
    assert before.day == dt.date(2026, 3, 1)
    assert after.day == dt.date(2026, 3, 2)
    # A line across midnight is found from either side of it.
    assert list(LiveLine.objects.between(MIDNIGHT, MIDNIGHT + dt.timedelta(seconds=1))) == [before]
    assert set(
        LiveLine.objects.between(MIDNIGHT - dt.timedelta(hours=1), MIDNIGHT + dt.timedelta(hours=1))
    ) == {
        before,
        after,
    }


def test_a_channel_has_one_line_per_start():
    source = add("http://127.0.0.1:9/live.m3u8")
    line(source, MIDNIGHT)
    with pytest.raises(IntegrityError), transaction.atomic():
        line(source, MIDNIGHT, text="again")
    other = add("http://127.0.0.1:9/other.m3u8", name="Other TV")
    assert line(other, MIDNIGHT).pk


def test_the_table_is_partitioned_by_day_on_postgresql():
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assert "alerts_liveline" in connection.introspection.table_names(cursor)
            return
        cursor.execute(
            "SELECT partstrat, a.attname FROM pg_partitioned_table p "
            "JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0] "
            "WHERE c.relname = 'alerts_liveline'"
        )
        assert cursor.fetchall() == [("r", "day")]
