"""Helpers of the recording tests (tests/ is on the path: `from recording.streams import ...`)."""

import time

import pytest
from django.db import OperationalError

from clipdesk.recording import actions
from clipdesk.recording.models import Gap, Segment
from clipdesk.recording.recorder import Options

# Short segments, stalls, leases and pauses: the tests' streams last seconds.
FAST = Options(segment_seconds=2.0, stall_seconds=2.5, lease_seconds=3.0, max_backoff_seconds=1.0)


def wait_for(condition, what: str, timeout: float = 40.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = condition()
        except OperationalError:  # SQLite's in-memory test database locks a table a thread writes
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            gaps = list(Gap.objects.values_list("reason", "detail", "start", "end"))
            segments = list(Segment.objects.values_list("start", "end"))
            pytest.fail(f"gave up waiting for {what}; gaps {gaps}; segments {segments}")
        time.sleep(0.2)


def segments_after(source, count: int, after=None):
    """Waits for `count` segments of `source` stored after `after` (a datetime); returns them."""

    def found():
        rows = Segment.objects.filter(source=source).order_by("start")
        if after is not None:
            rows = rows.filter(start__gte=after)
        rows = list(rows)
        return rows if len(rows) >= count else None

    return wait_for(found, f"{count} segments")


def add(url: str, name: str = "Test TV", **fields):
    return actions.add_source(user=None, channel=name, url=url, **fields)


def recorded(source, start, seconds: float, size: int = 1000, *, stored: bool = False):
    """A segment row of `source` from `start`; with `stored`, a file of `size` bytes in the storage too
    (without, it is a row alone: for what reads the rows only)."""
    import datetime as dt
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    end = start + dt.timedelta(seconds=seconds)
    digest = hashlib.sha256(f"{source.pk}{start.isoformat()}".encode()).hexdigest()
    name = f"recordings/{source.channel.slug}/{digest}.ts"
    if stored:
        name = default_storage.save(name, ContentFile(b"G" * size))
    return Segment.objects.create(
        source=source,
        file=name,
        start=start,
        end=end,
        duration_ms=round(seconds * 1000),
        size=size,
        sha256=digest,
    )
