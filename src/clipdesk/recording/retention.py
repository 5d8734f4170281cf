"""Keeping recordings within their time and their disk: the worker runs `apply_retention` hourly.

Segments older than CLIPDESK_RECORDING_RETENTION_DAYS go; so do the oldest segments, whatever their
age, while the media disk has less free space than CLIPDESK_RECORDING_MIN_FREE_GB (staff are warned
then: a log line, and /healthz's recording probe). A segment that a clip was cut from is never
deleted, by either rule. A file goes before its row, so a failure leaves at worst a row naming a
missing file (which verify-media reports), never an unnamed file filling the disk.
"""

import datetime as dt
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import Segment

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class Report:
    expired: int = 0
    for_space: int = 0
    bytes_freed: int = 0
    space_low: bool = False


def free_bytes() -> int | None:
    """Free space on the media disk; None when the storage is not a local disk (a bucket)."""
    location = getattr(default_storage, "location", None)
    if location is None or hasattr(default_storage, "bucket_name"):
        return None
    path = Path(location)
    while not path.exists() and path.parent != path:  # not made yet: the disk it will be on
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def _delete(segments: list[Segment], report: Report) -> int:
    for segment in segments:
        default_storage.delete(segment.file.name)
        report.bytes_freed += segment.size
    with transaction.atomic():
        Segment.objects.filter(pk__in=[s.pk for s in segments]).delete()
    return len(segments)


def expire(before: dt.datetime, report: Report) -> None:
    """Deletes the segments that ended before `before`, but for clip sources."""
    while True:
        batch = list(Segment.objects.filter(end__lt=before).expendable().order_by("start")[:BATCH])
        if not batch:
            return
        report.expired += _delete(batch, report)


def make_room(floor: int, report: Report, free: Callable[[], int | None] = free_bytes) -> None:
    """Deletes the oldest segments (never clip sources) until `floor` bytes are free or none is left."""
    available = free()
    if available is None or available >= floor:
        return
    report.space_low = True
    while available is not None and available < floor:
        batch = list(Segment.objects.expendable().order_by("start")[:BATCH])
        if not batch:
            break
        needed = floor - available
        taken, total = [], 0
        for segment in batch:
            taken.append(segment)
            total += segment.size
            if total >= needed:
                break
        report.for_space += _delete(taken, report)
        available = free()
    log.warning(
        "recording: the media disk had less than %.1f GB free: deleted the %d oldest recorded segments "
        "(%.1f GB); clip sources are kept. Add space or lower CLIPDESK_RECORDING_RETENTION_DAYS.",
        floor / 1e9,
        report.for_space,
        report.bytes_freed / 1e9,
    )


def apply_retention(now: dt.datetime | None = None, free: Callable[[], int | None] = free_bytes) -> Report:
    now = now or timezone.now()
    report = Report()
    expire(now - dt.timedelta(days=settings.CLIPDESK_RECORDING_RETENTION_DAYS), report)
    make_room(int(settings.CLIPDESK_RECORDING_MIN_FREE_GB * 1e9), report, free)
    if report.expired:
        log.info("recording: deleted %d segments past retention", report.expired)
    return report
