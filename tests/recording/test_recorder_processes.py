"""Two `clipdesk recorder` processes on one database share the channels through leases; one killed
with kill -9 loses its channel to the other within the lease time, the time between is a gap, and
no segment is stored twice. On SQLite the processes share a site's database file; in the PostgreSQL
pass of `make test` they share the test database itself."""

import datetime as dt
import itertools
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_datetime

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = 4.0


def site_for_this_database(make_site):
    env = {
        "CLIPDESK_RECORDING_SEGMENT_SECONDS": "2",
        "CLIPDESK_RECORDING_STALL_SECONDS": "4",
        "CLIPDESK_RECORDING_LEASE_SECONDS": str(LEASE),
        "CLIPDESK_RECORDING_MAX_BACKOFF_SECONDS": "1",
    }
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        site = make_site(**env)
        return site, site.rows
    user = f"{db['USER']}:{db.get('PASSWORD') or ''}@" if db.get("USER") else ""
    url = f"postgres://{user}{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
    site = make_site(DATABASE_URL=url, **env)

    def rows(sql: str):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return site, rows


def test_a_recorder_killed_loses_its_channel_to_another_within_the_lease_time(make_site, live):
    site, rows = site_for_this_database(make_site)
    site.clipdesk("channel", "add", "One TV", live.url)
    site.clipdesk("channel", "add", "Two TV", live.url)

    def holders() -> dict[str, str]:
        return dict(
            rows(
                "SELECT c.slug, l.holder FROM recording_lease l JOIN recording_channelsource s ON s.id = l.source_id "
                "JOIN archive_channel c ON c.id = s.channel_id"
            )
        )

    def segments(slug: str) -> list[tuple]:
        return rows(
            'SELECT g.start, g."end", g.sha256, g.recorder FROM recording_segment g JOIN recording_channelsource s '
            f"ON s.id = g.source_id JOIN archive_channel c ON c.id = s.channel_id WHERE c.slug = '{slug}' "
            "ORDER BY g.start"
        )

    first = site.start("recorder-a", "recorder", "--name", "a", "--max-channels", "1")
    site.wait_for(lambda: "a" in holders().values(), "recorder a to take a channel", timeout=90)
    site.start("recorder-b", "recorder", "--name", "b")
    site.wait_for(
        lambda: set(holders().values()) == {"a", "b"}, "the recorders to share the channels", timeout=90
    )
    victim = next(slug for slug, holder in holders().items() if holder == "a")
    site.wait_for(lambda: len(segments(victim)) >= 2, "recorder a to store segments", timeout=90)

    first.kill()  # kill -9: no lease is released, nothing is cleaned up
    first.wait()
    killed = time.monotonic()
    site.wait_for(lambda: holders()[victim] == "b", "recorder b to take the channel", timeout=60)
    taken_after = time.monotonic() - killed
    # The lease runs out LEASE seconds after a's last heartbeat; b looks every LEASE / 3 seconds.
    assert taken_after <= LEASE + LEASE / 3 + 3, taken_after
    site.wait_for(
        lambda: any(r == "b" for *_, r in segments(victim)), "recorder b to record the channel", timeout=60
    )

    (gap,) = rows(
        'SELECT g.reason, g.detail, g."end" FROM recording_gap g JOIN recording_channelsource s '
        f"ON s.id = g.source_id JOIN archive_channel c ON c.id = s.channel_id WHERE c.slug = '{victim}'"
    )
    assert gap[0] == "recorder" and "recorder a stopped" in gap[1] and gap[2] is not None
    for slug in holders():
        stored = segments(slug)
        assert len({sha for _, _, sha, _ in stored}) == len(stored), "a segment was stored twice"
        for (_, end, *_), (start, *_) in itertools.pairwise(stored):
            overlap = (moment(end) - moment(start)).total_seconds()
            assert overlap < 0.1, f"{slug}: segments overlap by {overlap} s: {stored}"


def moment(value) -> dt.datetime:
    """A time as SQLite (text) or PostgreSQL (a datetime) returns it."""
    if isinstance(value, dt.datetime):
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone(dt.UTC).replace(tzinfo=None)
        )
    return parse_datetime(value).replace(tzinfo=None)
