"""The jobs table is the source of truth: conditional claims, the reaper, `clipdesk repair`, retries,
cancelling. No model runs here; jobs are rows made by the factory, the queue is Huey's in-memory one."""

import datetime as dt
import errno
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from clipdesk.ingest import actions, reaper, runner, tasks
from clipdesk.ingest.models import IngestJob
from factories.ingest import IngestJobFactory

pytestmark = pytest.mark.django_db


def waiting_ids(huey) -> list[int]:
    """Job ids of the ingest messages in the queue, pending or scheduled."""
    return sorted(
        t.args[0]
        for t in [*huey.pending(), *huey.scheduled()]
        if isinstance(t, tasks.run_ingest_job.task_class)
    )


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def test_a_job_is_claimed_by_one_worker_only():
    job = IngestJobFactory()
    first = actions.claim_job(job.pk, worker="host-a:1:Worker-1")
    assert actions.claim_job(job.pk, worker="host-b:2:Worker-1") is None
    job.refresh_from_db()
    assert (first.pk, job.status, job.attempts, job.claimed_by) == (job.pk, "running", 1, "host-a:1:Worker-1")
    assert job.heartbeat_at is not None and job.started_at is not None
    # A worker that does not hold the job can neither fail it nor give it back.
    assert not actions.fail_job(job.pk, "nope", worker="host-b:2:Worker-1")
    assert not actions.release_job(job.pk, worker="host-b:2:Worker-1")


def test_a_finished_job_is_not_run_again():
    done = IngestJobFactory(status="done", attempts=1)
    failed = IngestJobFactory(status="failed", attempts=1)
    assert tasks.execute_job(done.pk, worker="w") == "done"
    assert tasks.execute_job(failed.pk, worker="w") == "failed"
    assert list(IngestJob.objects.values_list("attempts", flat=True)) == [1, 1]
    assert tasks.execute_job(10_000, worker="w") == ""  # gone: nothing to do


def test_an_abandoned_job_is_queued_again(queue_without_worker, settings, django_capture_on_commit_callbacks):
    settings.CLIPDESK_INGEST_STALE_SECONDS = 60
    dead = IngestJobFactory(status="running", attempts=1, claimed_by="host:99:Worker-1", heartbeat_at=ago(61))
    alive = IngestJobFactory(status="running", attempts=1, claimed_by="host:98:Worker-1", heartbeat_at=ago(5))
    with django_capture_on_commit_callbacks(execute=True):
        found = reaper.requeue_stale_jobs()
    assert (found.abandoned, found.lost, found.failed) == ([dead.pk], [], [])
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.claimed_by, dead.attempts) == ("queued", "", 1)
    assert "its worker stopped answering" in dead.error
    assert (alive.status, alive.claimed_by) == ("running", "host:98:Worker-1")
    assert waiting_ids(queue_without_worker) == [dead.pk]


def test_an_abandoned_job_with_no_attempts_left_fails_with_the_reason(settings):
    settings.CLIPDESK_INGEST_STALE_SECONDS = 60
    job = IngestJobFactory(
        status="running", attempts=3, max_attempts=3, heartbeat_at=ago(600), stage=IngestJob.Stage.TRANSCRIBE
    )
    found = reaper.requeue_stale_jobs()
    job.refresh_from_db()
    assert found.failed == [job.pk]
    assert job.status == "failed"
    assert job.error.startswith(
        "The worker stopped answering (finding speech, recognising words and speakers)"
    )


def test_a_queued_job_the_queue_lost_is_enqueued_again_once(
    queue_without_worker, settings, django_capture_on_commit_callbacks
):
    settings.CLIPDESK_INGEST_STALE_SECONDS = 60
    lost = IngestJobFactory(enqueued_at=ago(300))
    waiting = IngestJobFactory(enqueued_at=ago(300))
    fresh = IngestJobFactory()  # just queued: its worker may be about to take it
    later = IngestJobFactory(enqueued_at=ago(300), due_at=timezone.now() + dt.timedelta(minutes=5))
    tasks.run_ingest_job(waiting.pk)  # this one's message is in the queue
    with django_capture_on_commit_callbacks(execute=True):
        found = reaper.requeue_stale_jobs()
    assert (found.lost, found.abandoned) == ([lost.pk], [])
    assert waiting_ids(queue_without_worker) == sorted([lost.pk, waiting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert reaper.requeue_stale_jobs().count == 0  # its message is there now
    assert {fresh.pk, later.pk}.isdisjoint(waiting_ids(queue_without_worker))


def test_repair_reports_and_a_dry_run_changes_nothing(
    queue_without_worker, settings, capsys, django_capture_on_commit_callbacks
):
    settings.CLIPDESK_INGEST_STALE_SECONDS = 60
    dead = IngestJobFactory(status="running", attempts=1, heartbeat_at=ago(120))
    lost = IngestJobFactory(enqueued_at=ago(120))
    call_command("repair", "--only", "requeue-ingest-jobs", "--dry-run")
    assert capsys.readouterr().out == (
        f"requeue-ingest-jobs: ingest jobs: would re-enqueue 1 abandoned (ids {dead.pk}); "
        f"would re-enqueue 1 lost by the queue (ids {lost.pk})\n"
    )
    assert IngestJob.objects.get(pk=dead.pk).status == "running"
    assert waiting_ids(queue_without_worker) == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("repair", "--only", "requeue-ingest-jobs")
    assert "re-enqueue 1 abandoned" in capsys.readouterr().out
    assert waiting_ids(queue_without_worker) == sorted([dead.pk, lost.pk])
    call_command("repair", "--only", "requeue-ingest-jobs")
    assert capsys.readouterr().out == "requeue-ingest-jobs: ingest jobs: none stale or lost\n"


def test_the_reaper_runs_every_minute():
    task = tasks.reap_ingest_jobs.s()
    assert all(
        task.validate_datetime(dt.datetime(2026, 1, 1, hour, minute))
        for hour in (0, 13)
        for minute in range(60)
    )


def test_transient_failures_back_off_and_end_as_failed(
    queue_without_worker, settings, django_capture_on_commit_callbacks
):
    settings.CLIPDESK_INGEST_RETRY_SECONDS = 30
    job = IngestJobFactory(max_attempts=3)
    for attempt, delay in [(1, 30), (2, 60)]:
        actions.claim_job(job.pk, worker="w")
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.retry_later(job.pk, "OperationalError: database is locked.", worker="w") == delay
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("queued", attempt)
        assert job.due_at - job.enqueued_at == dt.timedelta(seconds=delay)
        assert (
            job.error
            == f"Attempt {attempt} of 3 failed: OperationalError: database is locked. It will be retried."
        )
    # Each retry is a message that carries the time it may run at.
    retries = [t for t in queue_without_worker.pending() if isinstance(t, tasks.run_ingest_job.task_class)]
    assert len(retries) == 2 and all(t.eta is not None for t in retries)
    actions.claim_job(job.pk, worker="w")
    assert actions.retry_later(job.pk, "OperationalError: database is locked.", worker="w") is None
    job.refresh_from_db()
    assert job.status == "failed"
    assert (
        job.error
        == "Gave up after 3 attempts. The last one failed with: OperationalError: database is locked."
    )


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (OperationalError("database is locked"), True),
        (OSError(errno.ENOSPC, "No space left on device"), True),
        (MemoryError(), True),
        (FileNotFoundError(errno.ENOENT, "No such file or directory"), False),
        (PermissionError(errno.EACCES, "Permission denied"), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_failures_are_worth_retrying(error, transient):
    assert tasks.is_transient(error) is transient


def test_a_failed_job_can_be_retried_and_only_a_failed_one(roles, django_capture_on_commit_callbacks):
    job = IngestJobFactory(status="failed", attempts=3, error="Gave up after 3 attempts.", stage="transcribe")
    with django_capture_on_commit_callbacks() as queued:
        actions.retry_job(job, user=roles["monitor"])
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error, job.stage, job.progress) == ("queued", 0, "", "", 0.0)
    assert len(queued) == 1
    with pytest.raises(ValidationError, match=r"Only a failed job can be retried; job \d+ is queued"):
        actions.retry_job(job, user=roles["monitor"])


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_job_is_noticed_by_its_worker_at_the_next_heartbeat(roles, settings):
    settings.CLIPDESK_INGEST_STALE_SECONDS = 2  # a heartbeat every half second
    job = IngestJobFactory()
    actions.claim_job(job.pk, worker="w")
    seen = []
    reporter = runner.Reporter(job.pk, "w", on_change=lambda *state: seen.append(state), interval=0.1).start()
    try:
        reporter.set(IngestJob.Stage.TRANSCRIBE, 0.25)
        deadline = time.monotonic() + 30
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert IngestJob.objects.get(pk=job.pk).progress == 0.25
        actions.cancel_job(job, user=roles["monitor"])
        while not reporter.lost.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(actions.JobLost):
            reporter.set(progress=0.5)
    finally:
        reporter.stop()
    job.refresh_from_db()
    assert (job.status, job.error, job.progress) == ("failed", "Cancelled by monitor.", 0.25)
    assert seen[0] == ("transcribe", 0.25)


def test_a_result_is_stored_as_a_draft_with_numbered_voices_and_both_languages(tmp_path):
    from clipdesk.ingest.runner import Outcome
    from clipdesk.pipeline.transcribe import Segment as Recognised
    from clipdesk.transcripts.models import Segment
    from factories.media import make_video

    job = IngestJobFactory(title="Interview", language="ar")
    actions.claim_job(job.pk, worker="w")
    lines = [
        Recognised(0, 1500, "مرحبا بكم", speaker=1, language="ar", translation="Welcome."),
        Recognised(1500, 4000, "شكرا", speaker=0, language="ar", translation=""),
        Recognised(4000, 3990, "نعم", speaker=1, language="ar", translation="Yes."),
        Recognised(4100, 4500, "...", speaker=None, language="ar", translation="..."),
    ]
    media = make_video(tmp_path / "clip.mp4", seconds=5)
    outcome = Outcome(lines, "ar", 0.9, "channels", 5.0, media, None, derived=True, timings={"decode": 0.1})
    with pytest.raises(actions.JobLost):
        actions.complete_job(job.pk, outcome, worker="someone-else")
    clip = actions.complete_job(job.pk, outcome, worker="w")

    assert (clip.title, clip.status, clip.origin, clip.duration_ms) == (
        "Interview",
        "draft",
        "ingested",
        5000,
    )
    assert [s.label for s in clip.speakers.all()] == ["unidentified voice 1", "unidentified voice 2"]
    rows = list(clip.segments.order_by("position"))
    assert [(r.start_ms, r.end_ms) for r in rows] == [(0, 1500), (1500, 4000), (4000, 4000), (4100, 4500)]
    assert [r.speaker.label if r.speaker else None for r in rows] == [
        "unidentified voice 1",  # the voice heard first is voice 1, whatever its number in the pipeline
        "unidentified voice 2",
        "unidentified voice 1",
        None,
    ]
    assert [(r.original_language, r.original_origin) for r in rows] == [("ar", "machine")] * 4
    # An empty English line is left for a translator: nothing machine-made in it.
    assert [(r.english_text, r.english_origin) for r in rows] == [
        ("Welcome.", "machine"),
        ("", "human"),
        ("Yes.", "machine"),
        ("...", "machine"),
    ]
    assert Segment.history.filter(clip_id=clip.pk).count() == 4  # the edit history starts here
    job.refresh_from_db()
    assert (job.status, job.clip, job.progress, job.timings) == ("done", clip, 1.0, {"decode": 0.1})
    asset = clip.media.get()
    assert asset.source == f"web rendition of spk1_snt1.wav (sha256 {job.original_sha256})"
    assert actions.complete_job(job.pk, outcome, worker="w") is None  # stored once
    assert Segment.objects.count() == 4


def test_a_store_that_fails_half_way_leaves_no_files_and_no_rows(tmp_path, monkeypatch, stored_files):
    from clipdesk.archive.models import Clip
    from clipdesk.ingest.runner import Outcome
    from clipdesk.pipeline.transcribe import Segment as Recognised
    from factories.media import make_video

    job = IngestJobFactory()
    actions.claim_job(job.pk, worker="w")
    before = stored_files()
    outcome = Outcome(
        [Recognised(0, 1000, "Hello.", speaker=0, language="en", translation="Hello.")],
        "en",
        0.9,
        "single",
        2.0,
        make_video(tmp_path / "clip.mp4", seconds=2),
        None,
        derived=True,
    )

    class DatabaseGoesAway:
        """Fails the last step of the store, after the media files were written."""

        @staticmethod
        def now():
            raise OperationalError("disk I/O error")

    monkeypatch.setattr(actions, "timezone", DatabaseGoesAway)
    with pytest.raises(OperationalError):
        actions.complete_job(job.pk, outcome, worker="w")
    assert stored_files() == before  # the media and its poster were removed again
    assert not Clip.objects.exists()
    assert IngestJob.objects.get(pk=job.pk).status == "running"
