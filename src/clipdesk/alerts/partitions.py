"""The live lines' partitions and their retention.

On PostgreSQL `alerts_liveline` is partitioned by day (see migration 0001). `maintain_partitions`
makes a partition for each of the coming CLIPDESK_LIVE_PARTITION_DAYS days (named
`alerts_liveline_pYYYYMMDD`), moves the rows the default partition caught into partitions of their
own (a day whose partition was missing when its lines came), and drops whole partitions of days
older than CLIPDESK_LIVE_RETENTION_DAYS, which costs nothing however many lines they hold. On SQLite
the table is a plain one and retention deletes the old days' lines.

The same run deletes the "not transcribed" spans that ended before the recording retention
(CLIPDESK_RECORDING_RETENTION_DAYS, or the live lines' when that is shorter): their recording is gone,
so they can no longer be transcribed again, and the transcript around them is gone or going.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import LiveLine, NotTranscribed

log = logging.getLogger(__name__)
TABLE = "alerts_liveline"
DEFAULT = f"{TABLE}_default"


@dataclass
class Maintenance:
    created: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)  # partition: rows moved into it
    dropped: list[str] = field(default_factory=list)
    deleted: int = 0
    spans_deleted: int = 0  # "not transcribed" spans past retention

    @property
    def changed(self) -> bool:
        return bool(self.created or self.moved or self.dropped or self.deleted or self.spans_deleted)


def partition_name(day: dt.date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def maintain_partitions(today: dt.date | None = None) -> Maintenance:
    today = today or timezone.now().astimezone(dt.UTC).date()
    cutoff = today - dt.timedelta(days=int(settings.CLIPDESK_LIVE_RETENTION_DAYS))
    result = Maintenance(spans_deleted=expire_spans(today))
    if connection.vendor != "postgresql":
        result.deleted, _ = LiveLine.objects.filter(day__lt=cutoff).delete()
        return result
    ahead = max(1, int(settings.CLIPDESK_LIVE_PARTITION_DAYS))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT day FROM {DEFAULT} WHERE day >= %s ORDER BY day", [cutoff])
        caught = [row[0] for row in cursor.fetchall()]
    for day in caught:
        result.moved[partition_name(day)] = _move_out_of_default(day)
    existing = set(partitions())
    for offset in range(ahead + 1):
        day = today + dt.timedelta(days=offset)
        if partition_name(day) not in existing and partition_name(day) not in result.moved:
            with transaction.atomic(), connection.cursor() as cursor:
                _create(cursor, day)
            result.created.append(partition_name(day))
    for name, day in partitions().items():
        if day < cutoff:
            with transaction.atomic(), connection.cursor() as cursor:
                # Checks deferred to the commit of a caller's transaction must not hold the table.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
            result.dropped.append(name)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DEFAULT} WHERE day < %s", [cutoff])
        result.deleted = cursor.rowcount
    if result.changed:
        log.info(
            "live lines: %s partition(s) made, %s row(s) moved out of the default one, %s dropped, %s deleted; "
            "%s not transcribed span(s) deleted",
            len(result.created),
            sum(result.moved.values()),
            len(result.dropped),
            result.deleted,
            result.spans_deleted,
        )
    return result


def expire_spans(today: dt.date) -> int:
    """Deletes the "not transcribed" spans that ended before the retention's cutoff; returns how many."""
    days = min(int(settings.CLIPDESK_RECORDING_RETENTION_DAYS), int(settings.CLIPDESK_LIVE_RETENTION_DAYS))
    cutoff = dt.datetime.combine(today, dt.time(), dt.UTC) - dt.timedelta(days=days)
    deleted, _ = NotTranscribed.objects.filter(end__lt=cutoff).delete()
    return deleted


def partitions() -> dict[str, dt.date]:
    """The day partitions that exist: {name: day}."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = {}
    for name in names:
        stamp = name.removeprefix(f"{TABLE}_p")
        if stamp != name and stamp.isdigit():
            found[name] = dt.datetime.strptime(stamp, "%Y%m%d").date()
    return found


def _create(cursor, day: dt.date) -> None:
    cursor.execute(
        f'CREATE TABLE IF NOT EXISTS "{partition_name(day)}" PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)',
        [day, day + dt.timedelta(days=1)],
    )


def _move_out_of_default(day: dt.date) -> int:
    """A day's rows leave the default partition for a partition of their own, in one transaction (a
    partition cannot be made for a day whose rows the default one holds)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {DEFAULT} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"CREATE TEMPORARY TABLE live_moving ON COMMIT DROP AS SELECT * FROM {DEFAULT} WHERE day = %s",
            [day],
        )
        cursor.execute(f"DELETE FROM {DEFAULT} WHERE day = %s", [day])
        moved = cursor.rowcount
        _create(cursor, day)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM live_moving")
        cursor.execute("DROP TABLE live_moving")  # at once: the transaction may be a savepoint
    return moved
