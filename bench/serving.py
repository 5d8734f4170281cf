"""A generated archive served by gunicorn on loopback and loaded with wrk: what the page benchmarks share.

`Site` is a throwaway clipdesk in a temporary directory (its own SQLite database, search index and
settings) whose URLs add a bare Django page, the peer every page is measured against: the site's
base template rendered through the same middleware, by the same gunicorn workers, in the same run.
`load_archive` fills its database in bulk, `Site.serve` runs `clipdesk serve`, and `wrk` measures one
URL, or a rotation through many URLs with a small Lua script.

Not a benchmark itself (the file name does not end in `_bench.py`, so `make bench` does not run it).
"""

import os
import pickle
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
INSTALL_WRK = "apt-get install wrk"

BARE_PATH = "/bench/bare/"
BENCH_URLS = f"""
from django.shortcuts import render
from django.urls import include, path


def bare(request):
    return render(request, "base.html", {{}})


urlpatterns = [path("{BARE_PATH[1:]}", bare), path("", include("clipdesk.urls"))]
"""

# Each wrk thread walks the list from its own place in it (its connections share the walk).
ROTATE_LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
setup = function(thread)
  thread:set("offset", math.random(#paths))
end
init = function(args)
  i = offset or 0
end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def require_wrk() -> None:
    """Exit with the install command when wrk is not on PATH."""
    if not shutil.which("wrk"):
        print(f"wrk is not installed. Install it with:\n\n    {INSTALL_WRK}\n", file=sys.stderr)
        sys.exit(2)


# The site ------------------------------------------------------------------------------------------


class Site:
    """A clipdesk with its own database, index and settings under a temporary directory."""

    def __init__(self, prefix: str = "clipdesk-bench-", *, conn_max_age: int | None = None):
        """`conn_max_age`: seconds each worker keeps its database connection (CLIPDESK_DB_CONN_MAX_AGE;
        0 is a new connection per request); None leaves the settings' default."""
        self.work = Path(tempfile.mkdtemp(prefix=prefix))
        (self.work / "bench_urls.py").write_text(BENCH_URLS)
        settings = (
            "from clipdesk.settings import *  # noqa: F403\nROOT_URLCONF = 'bench_urls'\nDEBUG = False\n"
        )
        (self.work / "bench_settings.py").write_text(settings)
        self.env = {
            **os.environ,
            "CLIPDESK_VAR_DIR": str(self.work / "var"),
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": f"{self.work}{os.pathsep}{ROOT / 'src'}",
            "CLIPDESK_DEBUG": "0",
            "CLIPDESK_LOG_LEVEL": "WARNING",
        }
        self.env.pop("DATABASE_URL", None)  # always the fresh SQLite database above
        if conn_max_age is not None:
            self.env["CLIPDESK_DB_CONN_MAX_AGE"] = str(conn_max_age)

    def clipdesk(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "clipdesk", *args], env=self.env, check=True)

    def remove(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    @contextmanager
    def serve(self, workers: int, *extra: str):
        """`clipdesk serve` on a free loopback port (`extra`: more of its options, such as
        `--worker-class gthread`); yields its base URL, stops it on the way out."""
        address = f"127.0.0.1:{_free_port()}"
        server = subprocess.Popen(
            [sys.executable, "-m", "clipdesk", "serve", "--bind", address, "--workers", str(workers), *extra],
            env=self.env,
            stdout=subprocess.DEVNULL,  # the access log
            stderr=subprocess.DEVNULL,
        )
        base = f"http://{address}"
        try:
            _wait_for(base + BARE_PATH, server)
            yield base
        finally:
            server.terminate()
            server.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    with urlopen(url, timeout=60) as response:
        response.read()
        return response.status


def _wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"clipdesk serve exited with status {server.returncode}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer {url}")


def warm(base: str, paths: list[str], times: int = 2) -> None:
    """Request each path `times` times, so that both workers have their caches and the pages are read."""
    for _ in range(times):
        for path in paths:
            get(base + path)


# The archive ---------------------------------------------------------------------------------------

LOADER = """
import datetime as dt, itertools, pickle, sys
import django
django.setup()
from django.db import transaction
from clipdesk.archive.models import Channel, Clip, Person, Topic, make_slug
from clipdesk.transcripts.models import Segment, Speaker
clips = pickle.load(open(sys.argv[1], "rb"))
with transaction.atomic():
    channels, people, topics = {}, {}, {}
    for c in clips:
        if c.channel not in channels:
            channels[c.channel] = Channel.objects.create(name=c.channel_name, slug=c.channel, country=c.country, language="ar")
        for slug, name in zip(c.people, c.names):
            if slug not in people:
                people[slug] = Person.objects.create(name=name, slug=slug)
        for slug in c.topics:
            if slug not in topics:
                topics[slug] = Topic.objects.create(name=slug.replace("-", " ").title(), slug=slug)
    now = dt.datetime.now(dt.timezone.utc)
    rows = [Clip(pk=c.clip_id, number=c.number if c.status == "published" else None, title=c.title[:500],
                 slug=make_slug(c.title), summary=c.summary, aired_on=c.aired_on, channel=channels[c.channel],
                 status=c.status, duration_ms=len(c.segments) * 7000,
                 published_at=now if c.status == "published" else None) for c in clips]
    Clip.objects.bulk_create(rows, batch_size=2000)
    Clip.topics.through.objects.bulk_create(
        [Clip.topics.through(clip_id=c.clip_id, topic=topics[t]) for c in clips for t in c.topics], batch_size=5000)
    batch = []
    for c in clips:
        for position, (slug, name) in enumerate(zip(c.people, c.names)):
            batch.append(Speaker(clip_id=c.clip_id, label=name, person=people[slug], position=position))
    Speaker.objects.bulk_create(batch, batch_size=5000)
    speakers = {(s.clip_id, s.label): s.pk for s in Speaker.objects.all()}
    segments = (Segment(pk=s.segment_id, clip_id=c.clip_id, position=s.position, start_ms=s.start_ms,
                        end_ms=s.start_ms + 6000, speaker_id=speakers[(c.clip_id, s.speaker)], original_text=s.original,
                        original_language=s.language if s.original else "en", english_text=s.english)
                for c in clips for s in c.segments)
    while chunk := list(itertools.islice(segments, 20000)):
        Segment.objects.bulk_create(chunk, batch_size=20000)
with open(sys.argv[2], "w") as out:
    for number, slug in Clip.objects.published().values_list("number", "slug"):
        out.write(f"/clips/{number}/{slug}/\\n")
"""


def load_archive(site: Site, clips: list) -> list[str]:
    """Write generated clips (`search_bench.generate`) into the site's database, in bulk: channels,
    people, topics, speakers and lines. Returns the addresses of the published clips' pages.

    Bulk inserts rather than the archive's actions: loading is not what is measured, and the actions
    would take an hour for a million lines. `clipdesk reindex` builds the search index afterwards.
    """
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as f:
        pickle.dump(clips, f)
    pages = site.work / "clip-pages.txt"
    try:
        subprocess.run([sys.executable, "-c", LOADER, f.name, str(pages)], env=site.env, check=True)
    finally:
        os.unlink(f.name)
    return pages.read_text().split()


# wrk ------------------------------------------------------------------------------------------------


@dataclass
class Load:
    """What one wrk run measured."""

    requests_per_second: float
    p99_ms: float
    problems: str  # non-2xx/3xx responses and socket errors, as wrk prints them; "" when none


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)([a-z]+)", value).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(out: str) -> Load:
    rps = float(re.search(r"^Requests/sec:\s+([0-9.]+)", out, re.M).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    problems = [line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    return Load(rps, p99, "; ".join(problems))


def rotation(site: Site, name: str, paths: list[str]) -> Path:
    """A wrk script that requests `paths` in turn (written under the site's directory)."""
    listing = site.work / f"{name}.txt"
    listing.write_text("".join(f"{p}\n" for p in paths))
    script = site.work / f"{name}.lua"
    script.write_text(ROTATE_LUA % {"paths": listing})
    return script


def wrk(
    base: str,
    path: str,
    *,
    script: Path | None = None,
    seconds: int,
    connections: int,
    threads: int = 2,
) -> Load:
    """One wrk run against `base + path` (or the rotation in `script`), with latency percentiles."""
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run([*args, base + path], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)
