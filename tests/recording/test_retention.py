"""Retention: recordings past their days go, the oldest go first when the disk runs short, and the
spans clips were cut from stay; backups leave recordings out unless asked."""

import datetime as dt
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from clipdesk.recording.models import ClipSource, Segment
from clipdesk.recording.retention import apply_retention
from factories.ingest import IngestJobFactory
from recording.streams import add, recorded

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def source():
    return add("http://127.0.0.1:9/live.m3u8")


def cut_from(source, start, seconds):
    return ClipSource.objects.create(
        job=IngestJobFactory(),
        source=source,
        start=start,
        end=start + dt.timedelta(seconds=seconds),
        offset_ms=0,
    )


def test_recordings_past_retention_go_but_clip_sources_stay(settings, source):
    settings.CLIPDESK_RECORDING_RETENTION_DAYS = 30
    old = NOW - dt.timedelta(days=31)
    expired = recorded(source, old, 6, stored=True)
    kept_for_clip = recorded(source, old + dt.timedelta(seconds=6), 6, stored=True)
    recent = recorded(source, NOW - dt.timedelta(days=29), 6, stored=True)
    cut_from(source, old + dt.timedelta(seconds=8), 2)
    report = apply_retention(NOW, free=lambda: None)
    assert report.expired == 1
    assert set(Segment.objects.values_list("pk", flat=True)) == {kept_for_clip.pk, recent.pk}
    assert not default_storage.exists(expired.file.name)
    assert default_storage.exists(kept_for_clip.file.name)


def test_a_disk_short_of_space_loses_the_oldest_recordings_first_never_clip_sources(settings, source, caplog):
    settings.CLIPDESK_RECORDING_RETENTION_DAYS = 30
    settings.CLIPDESK_RECORDING_MIN_FREE_GB = 0.000005  # 5,000 bytes
    start = NOW - dt.timedelta(hours=1)
    segments = [
        recorded(source, start + dt.timedelta(seconds=6 * i), 6, size=1000, stored=True) for i in range(8)
    ]
    cut_from(source, segments[0].start, 6)
    capacity = 10_000  # the disk: what the segments leave free of it

    def free():
        return capacity - (Segment.objects.aggregate(total=Sum("size"))["total"] or 0)

    report = apply_retention(NOW, free=free)
    assert report.space_low and report.for_space == 3 and free() >= 5000
    left = set(Segment.objects.values_list("pk", flat=True))
    assert left == {segments[0].pk, *(s.pk for s in segments[4:])}
    assert "less than" in caplog.text and "clip sources are kept" in caplog.text


def test_the_worker_schedule_runs_retention_hourly():
    from huey.contrib.djhuey import HUEY

    from clipdesk.recording import tasks

    day = dt.datetime(2026, 3, 1)  # Huey keeps time in naive UTC
    minutes = [day + dt.timedelta(minutes=m) for m in range(24 * 60)]
    runs = [
        t
        for t in minutes
        if any(isinstance(p, tasks.recording_retention.task_class) for p in HUEY.read_periodic(t))
    ]
    assert len(runs) == 24 and {r.minute for r in runs} == {7}


@pytest.mark.django_db(transaction=True)  # the backup reads the database from outside any transaction
def test_backups_leave_recordings_out_unless_asked(settings, source, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    segment = recorded(source, timezone.now(), 6, stored=True)
    out = StringIO()
    call_command("backup", str(tmp_path / "without"), stdout=out, verbosity=0)
    assert "Recorded channel segments were left out" in out.getvalue()
    assert not (tmp_path / "without" / "media" / segment.file.name).exists()
    out = StringIO()
    call_command("backup", str(tmp_path / "with"), "--with-recordings", stdout=out, verbosity=0)
    assert (tmp_path / "with" / "media" / segment.file.name).exists()
    assert "left out" not in out.getvalue()
