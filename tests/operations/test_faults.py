"""Faults of what a site depends on, each on private servers that the test starts for itself
(servers.py); the machine's shared PostgreSQL and Redis are never stopped. A worker killed in the
middle of a job is covered by tests/ingest/test_ingest_processes.py.

* Redis restarted without persistence loses the messages of the queued jobs: `clipdesk repair`
  queues them again, and the worker, reconnected, finishes each once with its own segments; the
  jobs done before are left as they were.
* PostgreSQL stopped under a site served by gunicorn: pages answer 503 with Retry-After and a short
  page that names nothing of the server, and once it is back the same pages answer 200 from the
  same gunicorn workers; a restart between two requests fails neither. Both hold whether
  connections are kept between requests or not.
* A disk that fills during an upload, on the staff page (in the media storage, or in the temporary
  directory uploads pass through) and with `clipdesk ingest`: the user is told that the disk is
  full, nothing is registered or left behind, and the same upload succeeds once space is freed.
"""

import hashlib
import re
import shutil
import threading
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from clipdesk.archive.models import Channel
from clipdesk.ingest.models import IngestJob
from clipdesk.media.models import MediaAsset
from operations.servers import PostgresCluster, RedisServer, tmpfs, wait_until
from operations.sites import REQUEST_TIMEOUT, ROOT, Answer, Served, Site, queued_id

SPEECH = ROOT / "samples" / "audio" / "speechbrain-asr"
SAMPLE_PAGE = ROOT / "samples" / "pages" / "clip-8891.txt"
MiB = 1024 * 1024


# -- Redis restarted without persistence -------------------------------------------------------------

STALE = 2  # CLIPDESK_INGEST_STALE_SECONDS: a queued job missing from the queue this long is lost
JOB_STATE = "status, attempts, clip_id, claimed_by, error, started_at, finished_at"


@pytest.fixture
def redis_server(tmp_path):
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def queue_jobs(site: Site, recordings: list[Path]) -> list[int]:
    """Queues a job per recording through the ingest action, as the CLI and the staff page do."""
    said = site.python(
        "from clipdesk.ingest.actions import create_ingest_job\n"
        f"for path in {[str(r) for r in recordings]!r}:\n"
        "    print('queued job', create_ingest_job(path, user=None, translate='none').pk)\n"
    )
    return [int(pk) for pk in re.findall(r"^queued job (\d+)$", said, re.MULTILINE)]


def job_state(site: Site, pk: int) -> tuple:
    """Everything a finished job's row and its draft say: these must not change once it is done."""
    (row,) = site.rows(f"SELECT {JOB_STATE} FROM ingest_ingestjob WHERE id = ?", pk)
    clip_id = row[2]
    return (
        row,
        site.segments(clip_id),
        site.rows("SELECT file FROM media_mediaasset WHERE clip_id = ?", clip_id),
    )


def statuses(site: Site, jobs: list[int]) -> dict[int, str]:
    return {pk: site.job(pk)["status"] for pk in jobs}


@pytest.mark.slow
def test_jobs_whose_messages_a_redis_restart_lost_are_repaired_and_each_finished_once(
    make_site, redis_server
):
    site = make_site(REDIS_URL=redis_server.url, CLIPDESK_INGEST_STALE_SECONDS=str(STALE))
    recordings = [SPEECH / f"spk{s}_snt{n}.wav" for s, n in ((1, 1), (2, 1), (1, 2), (2, 2), (1, 3), (2, 3))]
    jobs = queue_jobs(site, recordings)
    assert len(jobs) == len(recordings)
    # One worker thread takes one message at a time; without the periodic schedule nothing but
    # `clipdesk repair` can find the lost jobs.
    site.start_worker("worker", "--no-periodic")
    site.wait_for(lambda: "done" in statuses(site, jobs).values(), "a first job to be done")

    redis_server.shutdown_nosave()
    redis_server.start()
    assert redis_server.client().dbsize() == 0, "Redis came back with data: nothing was lost"

    # A job under way when Redis stopped ends on its own; the others wait for messages that are gone.
    site.wait_for(lambda: "running" not in statuses(site, jobs).values(), "the running job to end")
    after = statuses(site, jobs)
    lost = [pk for pk, status in after.items() if status == "queued"]
    assert lost and set(after.values()) == {"done", "queued"}, f"{after}\n{site.logs()}"
    done_before = {pk: job_state(site, pk) for pk in jobs if pk not in lost}
    time.sleep(STALE + 0.5)  # a queued job counts as lost once it has been due for STALE seconds

    repaired = site.clipdesk("repair").stdout
    said = re.search(r"ingest jobs: re-enqueue (\d+) lost by the queue \(ids ([\d, ]+)\)$", repaired, re.M)
    assert said and "abandoned" not in repaired, repaired
    assert (int(said[1]), sorted(int(pk) for pk in said[2].split(", "))) == (len(lost), lost)

    site.wait_for(lambda: set(statuses(site, jobs).values()) <= {"done", "failed"}, "every job to finish")
    for pk, recording in zip(jobs, recordings, strict=True):
        job = site.job(pk)
        assert (job["status"], job["attempts"], job["error"]) == ("done", 1, ""), site.logs()
        assert site.rows("SELECT title FROM archive_clip WHERE id = ?", job["clip_id"]) == [
            (f"Untitled: {recording.name}",)
        ]
        segments = site.segments(job["clip_id"])
        assert segments and [position for position, _ in segments] == list(range(len(segments)))
    assert {pk: job_state(site, pk) for pk in done_before} == done_before  # untouched

    # One draft, one media file and one set of segments per job: nothing was stored twice.
    clips = [site.job(pk)["clip_id"] for pk in jobs]
    assert len(set(clips)) == len(jobs)
    assert site.rows("SELECT COUNT(*) FROM archive_clip") == [(len(jobs),)]
    assert site.rows("SELECT COUNT(*) FROM media_mediaasset") == [(len(jobs),)]
    total = sum(len(site.segments(clip)) for clip in clips)
    assert site.rows("SELECT COUNT(*) FROM transcripts_segment") == [(total,)]

    again = site.clipdesk("repair", "--only", "requeue-ingest-jobs").stdout
    assert "ingest jobs: none stale or lost" in again


# -- PostgreSQL restarted under a running site -------------------------------------------------------


@pytest.fixture
def postgres():
    cluster = PostgresCluster()
    try:
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@dataclass
class Hit:
    web: int
    path: str
    started: float
    ended: float
    status: int = 0
    error: str = ""


@dataclass
class Load:
    """Requests for every page from every server, in a loop on a thread, until stopped."""

    webs: list[Served]
    pages: list[str]
    hits: list[Hit] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            for index, web in enumerate(self.webs):
                for path in self.pages:
                    started = time.monotonic()
                    try:
                        status, error = web.get(path).status, ""
                    except OSError as exc:  # refused, reset or timed out: the web process failed us
                        status, error = 0, repr(exc)
                    self.hits.append(Hit(index, path, started, time.monotonic(), status, error))

    def wait_for_hits_after(self, moment: float) -> None:
        wait_until(lambda: sum(h.started > moment for h in self.hits) >= 3, "requests to be answered")

    def stop(self) -> list[Hit]:
        self.stopping.set()
        self.thread.join(REQUEST_TIMEOUT * 2)
        return list(self.hits)


def assert_unavailable(answer: Answer, cluster: PostgresCluster) -> None:
    assert answer.status == 503, answer
    assert answer.headers["retry-after"].isdigit()
    assert "Temporarily unavailable" in answer.body and len(answer.body) < 2000
    for secret in (cluster.password, "postgres", f"{cluster.port}", "127.0.0.1", "Traceback", "Error"):
        assert secret not in answer.body, f"the 503 page shows {secret!r}"


@pytest.fixture
def served(tmp_path, postgres):
    """The sample clip on the private cluster, served by two gunicorns with two workers each: one
    opens a connection per request (CLIPDESK_DB_CONN_MAX_AGE=0), the other keeps them (60).
    Yields the servers and the pages asked for: the home page, the list and the clip's page."""
    var = tmp_path / "site"
    var.mkdir()
    settings = {"DATABASE_URL": postgres.url(), "CLIPDESK_DEBUG": "0"}
    sites = [Site(var, CLIPDESK_DB_CONN_MAX_AGE=age, **settings) for age in ("0", "60")]
    try:
        sites[0].clipdesk("migrate", "--no-input", "-v", "0")
        sites[0].clipdesk("import-page", str(SAMPLE_PAGE))
        webs = [Served(site, f"web-{n}", workers=2) for n, site in enumerate(sites)]
        pages = ["/", "/clips/", webs[0].get("/clips/8891/").headers["location"]]
        for web in webs:
            assert answers(web, pages) == {200}, web.site.logs()
        yield webs, pages
    finally:
        for site in sites:
            site.stop()


def answers(web: Served, pages: list[str], rounds: int = 1) -> set[int]:
    return {web.get(page).status for _ in range(rounds) for page in pages}


def assert_served_throughout(webs: list[Served], workers: list[set[int]]) -> None:
    """The same gunicorn processes served throughout, and nothing raised: none died or was restarted."""
    assert all(web.process.poll() is None for web in webs)
    assert [web.workers() for web in webs] == workers
    assert "Traceback" not in webs[0].site.logs()


def test_pages_answer_503_while_postgresql_is_down_and_200_once_it_is_back(served, postgres):
    webs, pages = served
    workers = [web.workers() for web in webs]
    load = Load(webs, pages)
    try:
        load.wait_for_hits_after(0)
        stopping = time.monotonic()
        postgres.stop("fast")
        stopped = time.monotonic()
        for web in webs:
            for page in pages:
                assert_unavailable(web.get(page), postgres)
            assert web.get("/healthz").status == 503
        load.wait_for_hits_after(stopped)
        starting = time.monotonic()
        postgres.start()
        started = time.monotonic()
        for web in webs:
            assert answers(web, pages, rounds=3) == {200}, web.site.logs()
        load.wait_for_hits_after(started)
    finally:
        hits = load.stop()

    assert [h for h in hits if h.error or h.status not in (200, 503)] == []  # no 500, reset or timeout
    assert {h.status for h in hits if h.ended < stopping} == {200}
    assert {h.status for h in hits if h.started > stopped and h.ended < starting} == {503}
    assert {h.status for h in hits if h.started > started} == {200}
    assert_served_throughout(webs, workers)


def test_a_postgresql_restart_between_requests_fails_none_of_them(served, postgres):
    webs, pages = served
    for web in webs:  # each worker process holds a connection, where it keeps them
        assert answers(web, pages, rounds=3) == {200}
    workers = [web.workers() for web in webs]
    postgres.stop("fast")  # and started again before anyone asks: kept connections are now broken
    postgres.start()
    for web in webs:
        assert answers(web, pages, rounds=3) == {200}, web.site.logs()
    assert_served_throughout(webs, workers)


# -- A full disk during an upload --------------------------------------------------------------------


class SmallDisk:
    """A tmpfs of its own, filled up to a chosen free space by a file that can be deleted."""

    SIZE = "8m"

    def __init__(self, root: Path):
        self.root = root
        self.filler = root / "filler"

    def fill(self, leave: int) -> None:
        with open(self.filler, "wb") as handle:
            handle.write(b"\0" * (shutil.disk_usage(self.root).free - leave))

    def free_space(self) -> None:
        self.filler.unlink()

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file() and p != self.filler)


@pytest.fixture
def small_disk(tmp_path):
    with tmpfs(tmp_path / "disk", SmallDisk.SIZE) as mountpoint:
        yield SmallDisk(mountpoint)


def make_recording(path: Path, seconds: float = 100) -> Path:
    """A WAV of a tone, 16 kHz mono 16-bit: about 3 MiB for 100 seconds, more than the full disk has left."""
    rate = 16000
    tone = 0.2 * 32767 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(tone.astype("<i2").tobytes())
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def upload(client, path: Path):
    with open(path, "rb") as handle:
        data = {"file": handle, "channel": "Full Disk TV", "language": "auto", "translate": "none"}
        return client.post("/staff/ingest/", {**data, "speakers": "auto"})


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["media storage", "temporary upload directory"])
def test_an_upload_to_a_full_disk_is_refused_with_the_reason_and_goes_through_once_space_is_freed(
    client, roles, settings, small_disk, tmp_path, where
):
    settings.MEDIA_ROOT = small_disk.root / "media"
    if where == "temporary upload directory":  # where Django writes an upload larger than 2.5 MB
        settings.FILE_UPLOAD_TEMP_DIR = small_disk.root / "uploads"
        settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    recording = make_recording(tmp_path / "evening-news.wav")
    client.force_login(roles["monitor"])
    small_disk.fill(leave=MiB)
    assert recording.stat().st_size > 2 * MiB

    refused = upload(client, recording)
    assert refused.status_code == 507  # Insufficient Storage, on the form's page: not a server error
    html = refused.content.decode()
    assert "evening-news.wav: not stored, the disk is full (No space left on device)" in html
    assert len(refused.wsgi_request.META["wsgi.input"]) == 0  # all was read: a browser gets the page
    assert not IngestJob.objects.exists() and not MediaAsset.objects.exists()
    assert not Channel.objects.filter(name="Full Disk TV").exists()
    assert small_disk.files() == []  # no partial original, no temporary file

    small_disk.free_space()
    accepted = upload(client, recording)
    job = IngestJob.objects.get()
    assert (accepted.status_code, accepted["Location"]) == (302, job.get_absolute_url())
    assert small_disk.files() == [Path(settings.MEDIA_ROOT) / job.original.name]
    assert sha256(Path(job.original.path)) == sha256(recording) == job.original_sha256


def test_clipdesk_ingest_to_a_full_disk_is_refused_with_the_reason_and_goes_through_once_space_is_freed(
    make_site, small_disk, tmp_path
):
    media = small_disk.root / "media"
    site = make_site(CLIPDESK_MEDIA_ROOT=str(media))
    recording = make_recording(tmp_path / "evening-news.wav")
    small_disk.fill(leave=MiB)

    refused = site.clipdesk("ingest", str(recording), "--channel", "Full Disk TV", check=False)
    assert refused.returncode == 1
    assert "evening-news.wav: not stored, the disk is full (No space left on device)" in refused.stderr
    assert "Traceback" not in refused.stderr
    for table in ("ingest_ingestjob", "media_mediaasset"):
        assert site.rows(f"SELECT COUNT(*) FROM {table}") == [(0,)]
    assert site.rows("SELECT COUNT(*) FROM archive_channel WHERE name = 'Full Disk TV'") == [(0,)]
    assert small_disk.files() == []

    small_disk.free_space()
    job = queued_id(site.clipdesk("ingest", str(recording), "--channel", "Full Disk TV").stdout)
    [(original, digest)] = site.rows(
        "SELECT original, original_sha256 FROM ingest_ingestjob WHERE id = ?", job
    )
    assert small_disk.files() == [media / original]
    assert sha256(media / original) == sha256(recording) == digest
