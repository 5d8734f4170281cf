"""Ingest across real processes sharing one database file: the CLI queues, `clipdesk worker`
processes run the jobs, and the jobs table keeps every job done exactly once.

* A worker killed with SIGKILL in the middle of a job leaves it running with a heartbeat that goes
  stale; `clipdesk repair` queues it again and a new worker finishes it, with one set of segments.
* With REDIS_URL, two workers share one Redis queue in which every job's message was put twice:
  each job is claimed once and stored once. Without a Redis server the test says what is missing
  and skips; with CI set it fails instead.
"""

import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from operations.sites import queued_id

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"
JFK = SAMPLES / "jfk.flac"
SPEECHBRAIN = SAMPLES / "speechbrain-asr"
REDIS_URL = os.environ.get("CLIPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_a_job_whose_worker_is_killed_is_reaped_and_finished_once(make_site):
    site = make_site(CLIPDESK_INGEST_STALE_SECONDS="3")

    refused = site.clipdesk("ingest", str(SAMPLES / "REFERENCES.md"), check=False)
    assert refused.returncode == 1
    assert "REFERENCES.md: this is not an audio or video file" in refused.stderr

    job = queued_id(site.clipdesk("ingest", str(JFK)).stdout)
    first = site.start_worker("worker-1", "--no-periodic")
    # Under way: claimed, and its progress written at least once (a job cannot end that soon).
    site.wait_for(
        lambda: site.job(job)["stage"] != "" or site.job(job)["status"] in ("done", "failed"),
        "the job to start",
    )
    assert site.job(job)["status"] == "running", "the job ended before its worker could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed = site.job(job)
    assert (killed["status"], killed["attempts"], killed["clip_id"]) == ("running", 1, None)

    # Its heartbeat goes stale; until then the reaper leaves it alone.
    time.sleep(4)
    repaired = site.clipdesk("repair", "--only", "requeue-ingest-jobs").stdout
    assert f"re-enqueue 1 abandoned (ids {job})" in repaired
    assert site.job(job)["status"] == "queued"

    site.start_worker("worker-2", "--no-periodic")
    site.wait_for(lambda: site.job(job)["status"] in ("done", "failed"), "the job to finish")
    finished = site.job(job)
    assert (finished["status"], finished["attempts"], finished["error"]) == ("done", 2, ""), site.logs()
    segments = site.segments(finished["clip_id"])
    assert [position for position, _ in segments] == list(range(len(segments))) and segments
    assert "americans" in " ".join(text for _, text in segments).lower()
    assert site.rows("SELECT COUNT(*) FROM transcripts_segment") == [(len(segments),)]
    assert site.rows("SELECT COUNT(*) FROM archive_clip") == [(1,)]
    assert site.rows("SELECT COUNT(*) FROM media_mediaasset") == [(1,)]
    assert not (site.var / "ingest-work" / str(job)).exists()  # the killed attempt's scratch space is gone


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = (
            f"Redis is not reachable at {REDIS_URL} ({exc}): the shared-queue test needs a Redis server "
            "(Debian: apt-get install redis-server), or CLIPDESK_TEST_REDIS_URL pointing at one."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def test_two_workers_on_one_redis_queue_do_each_job_once(make_site, redis_url):
    import redis

    queue = f"clipdesk-test-{uuid.uuid4().hex[:12]}"
    site = make_site(REDIS_URL=redis_url, CLIPDESK_HUEY_NAME=queue)
    samples = [SPEECHBRAIN / f"spk{speaker}_snt{n}.wav" for speaker, n in ((1, 1), (2, 1), (1, 2), (2, 2))]
    try:
        # Each job is queued by its action, then its message is sent a second time: both workers may
        # take the same job's messages at the same moment, and the conditional claim decides.
        said = site.python(
            "from clipdesk.ingest.actions import create_ingest_job\n"
            "from clipdesk.ingest.tasks import run_ingest_job\n"
            f"jobs = [create_ingest_job(p, user=None, translate='none') for p in {[str(s) for s in samples]!r}]\n"
            "for job in jobs:\n"
            "    run_ingest_job(job.pk)\n"
            "print('jobs', *[job.pk for job in jobs])\n"
        )
        jobs = [int(pk) for pk in said.split("jobs", 1)[1].split()]
        site.start_worker("worker-a")
        site.start_worker("worker-b", "--no-periodic")

        def all_finished() -> bool:
            return all(site.job(pk)["status"] in ("done", "failed") for pk in jobs)

        site.wait_for(all_finished, "all jobs to finish")
        for pk in jobs:
            job = site.job(pk)
            assert (job["status"], job["attempts"], job["error"]) == ("done", 1, ""), site.logs()
            segments = site.segments(job["clip_id"])
            assert [position for position, _ in segments] == list(range(len(segments))) and segments
        clips = {site.job(pk)["clip_id"] for pk in jobs}
        assert len(clips) == len(jobs) and site.rows("SELECT COUNT(*) FROM archive_clip") == [(len(jobs),)]
        total = sum(len(site.segments(clip)) for clip in clips)
        assert site.rows("SELECT COUNT(*) FROM transcripts_segment") == [(total,)]
        print("claimed by:", sorted({site.job(pk)["claimed_by"].split(":")[1] for pk in jobs}))
    finally:
        site.stop()
        server = redis.Redis.from_url(redis_url)
        for key in server.scan_iter(f"*{queue}*"):
            server.delete(key)
