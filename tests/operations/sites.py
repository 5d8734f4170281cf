"""clipdesk installations in directories of their own, driven only through their commands in real
processes: for the tests that need them (ingest workers, faults of the servers a site uses). The
fixtures `migrated` and `make_site` reach a test directory through an import in its conftest
(`from operations.sites import ...`: `tests/` is on the path).
"""

import http.client
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from operations.servers import stop_process, wait_until
from support import free_port

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
# process_settings: the site's settings with the ingest timings the tests shorten read from the environment.
PROCESS_SETTINGS_DIR = TESTS / "ingest"
JOB_COLUMNS = ("status", "stage", "progress", "attempts", "clip_id", "error", "claimed_by")
REQUEST_TIMEOUT = 20  # seconds: a request that hangs fails the test instead of holding it


class Site:
    """A clipdesk installation in a directory of its own, driven only through its commands."""

    def __init__(self, var: Path, **env: str):
        self.var = var
        inherited = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "CLIPDESK_HUEY_NAME", "DJANGO_SETTINGS_MODULE"}
        }
        self.env = {
            **inherited,
            "CLIPDESK_VAR_DIR": str(var),
            "DJANGO_SETTINGS_MODULE": "process_settings",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(PROCESS_SETTINGS_DIR), os.environ.get("PYTHONPATH")])
            ),
            "HF_HUB_OFFLINE": "1",
            **env,
        }
        self.processes: list[tuple[subprocess.Popen, object]] = []

    def clipdesk(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "clipdesk", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert done.returncode == 0, f"clipdesk {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def python(self, script: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup()\n{script}"],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, name: str, *args: str) -> subprocess.Popen:
        """`clipdesk ARGS` running in the background, its output in NAME.log; stop() ends it."""
        log = open(self.var / f"{name}.log", "w")  # noqa: SIM115  closed by stop()
        process = subprocess.Popen(
            [sys.executable, "-m", "clipdesk", *args],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append((process, log))
        return process

    def start_worker(self, name: str, *args: str) -> subprocess.Popen:
        return self.start(name, "worker", "--threads", "1", *args)

    def stop(self) -> None:
        for process, log in self.processes:
            stop_process(process)
            log.close()
        self.processes.clear()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.var.glob("*.log")))

    def rows(self, sql: str, *params) -> list[tuple]:
        with closing(sqlite3.connect(self.var / "clipdesk.sqlite3", timeout=30)) as db:
            return db.execute(sql, params).fetchall()

    def job(self, pk: int) -> dict:
        (row,) = self.rows(f"SELECT {', '.join(JOB_COLUMNS)} FROM ingest_ingestjob WHERE id = ?", pk)
        return dict(zip(JOB_COLUMNS, row, strict=True))

    def wait_for(self, condition, what: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"gave up waiting for {what}\n{self.logs()}")
            time.sleep(0.2)

    def segments(self, clip_id: int) -> list[tuple]:
        return self.rows(
            "SELECT position, original_text FROM transcripts_segment WHERE clip_id = ? ORDER BY position",
            clip_id,
        )


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict  # by lower-case name
    body: str


class Served:
    """`clipdesk serve` (gunicorn) for a site, on a free loopback port, asked over real HTTP; the site's
    stop() ends it."""

    def __init__(self, site: Site, name: str = "serve", workers: int = 1):
        self.port = free_port()
        bind = f"127.0.0.1:{self.port}"
        self.process = site.start(name, "serve", "--bind", bind, "--workers", str(workers))
        self.site = site
        wait_until(self._answers, f"{name} to answer")

    def get(self, path: str, timeout: float = REQUEST_TIMEOUT, **headers: str) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        finally:
            connection.close()

    def workers(self) -> set[int]:
        """The gunicorn worker processes: the children of the master."""
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended while we looked
                continue
            if int(fields[1]) == self.process.pid:
                children.add(int(stat.parent.name))
        return children

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"clipdesk serve exited:\n{self.site.logs()}")
        try:
            self.get("/healthz")
        except OSError:
            return False
        return True


def queued_id(output: str) -> int:
    """The job number `clipdesk ingest` printed."""
    return int(re.search(r"^Job (\d+) queued", output, re.MULTILINE).group(1))


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One migrated SQLite database, copied for each site (migrating takes seconds)."""
    var = tmp_path_factory.mktemp("migrated")
    Site(var).clipdesk("migrate", "--no-input")
    return var / "clipdesk.sqlite3"


@pytest.fixture
def make_site(tmp_path, migrated):
    """make_site(**env): a new site on a copy of the migrated database; its processes stop at teardown."""
    sites = []

    def make(**env: str) -> Site:
        var = tmp_path / f"site{len(sites)}"
        var.mkdir()
        shutil.copy(migrated, var / "clipdesk.sqlite3")
        sites.append(Site(var, **env))
        return sites[-1]

    yield make
    for site in sites:
        site.stop()
