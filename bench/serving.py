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
from urllib.error import HTTPError
from urllib.request import Request, urlopen

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


# Each request carries the ETag that its path answered with before; every 304 and every response is counted.
CONDITIONAL_LUA = """
local paths, tags = {}, {}
for line in io.lines("%(paths)s") do
  local path, tag = line:match("^([^\t]+)\t(.+)$")
  paths[#paths + 1] = path
  tags[#tags + 1] = tag
end
local i = 0
local threads = {}
setup = function(thread)
  thread:set("offset", math.random(#paths))
  table.insert(threads, thread)
end
init = function(args)
  i = offset or 0
  not_modified = 0
  responses = 0
end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["If-None-Match"] = tags[i]})
end
response = function(status, headers, body)
  responses = responses + 1
  if status == 304 then not_modified = not_modified + 1 end
end
done = function(summary, latency, requests)
  local n, total = 0, 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("not_modified")
    total = total + thread:get("responses")
  end
  io.write(string.format("Not modified: %%d of %%d\\n", n, total))
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

    def __init__(
        self, prefix: str = "clipdesk-bench-", *, conn_max_age: int | None = None, work: Path | None = None
    ):
        """`conn_max_age`: seconds each worker keeps its database connection (CLIPDESK_DB_CONN_MAX_AGE;
        0 is a new connection per request); None leaves the settings' default. `work`: this directory
        instead of a new temporary one (made if missing; a site kept there earlier is used as it is)."""
        if work is None:
            self.work = Path(tempfile.mkdtemp(prefix=prefix))
        else:
            self.work = work.resolve()
            self.work.mkdir(parents=True, exist_ok=True)
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
    def serve(self, workers: int, *extra: str, env: dict[str, str] | None = None):
        """`clipdesk serve` on a free loopback port (`extra`: more of its options, such as
        `--worker-class gthread`; `env`: more environment, such as a setting); yields its base URL,
        stops it on the way out."""
        address = f"127.0.0.1:{_free_port()}"
        server = subprocess.Popen(
            [sys.executable, "-m", "clipdesk", "serve", "--bind", address, "--workers", str(workers), *extra],
            env={**self.env, **(env or {})},
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
    return parse_wrk(
        _run_wrk(base, path, script=script, seconds=seconds, connections=connections, threads=threads)
    )


def _run_wrk(
    base: str, path: str, *, script: Path | None, seconds: int, connections: int, threads: int = 2
) -> str:
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    if script:
        args += ["-s", str(script)]
    return subprocess.run([*args, base + path], capture_output=True, text=True, check=True).stdout


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET: its status, headers (names in lower case) and body; 304 and other statuses too."""
    request = Request(url, headers=headers or {})
    try:
        with urlopen(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@dataclass
class Conditional:
    """A wrk run that sent each path's ETag back in If-None-Match."""

    load: Load
    not_modified: int
    responses: int

    @property
    def share(self) -> float:
        return self.not_modified / self.responses if self.responses else 0.0


def conditional(site: Site, name: str, base: str, tagged: list[tuple[str, str]], **run) -> Conditional:
    """wrk replaying `tagged` (path, the ETag it answered with) as conditional requests."""
    listing = site.work / f"{name}-etags.txt"
    listing.write_text("".join(f"{path}\t{tag}\n" for path, tag in tagged))
    script = site.work / f"{name}-etags.lua"
    script.write_text(CONDITIONAL_LUA % {"paths": listing})
    out = _run_wrk(base, "/", script=script, **run)
    counted = re.search(r"^Not modified: (\d+) of (\d+)", out, re.M)
    return Conditional(parse_wrk(out), int(counted.group(1)), int(counted.group(2)))


# Varnish -------------------------------------------------------------------------------------------

VCL_FILE = ROOT / "deploy" / "varnish" / "clipdesk.vcl"
INSTALL_VARNISH = "apt-get install varnish varnish-modules"


def point_vcl_at(vcl: str, backend: str) -> str:
    """The VCL with its (first) `backend NAME { ... }` block replaced by one of the same name for `backend`
    (host:port). ValueError when it has none."""
    match = re.search(r"^\s*backend\s+([A-Za-z_][\w-]*)\s*\{", vcl, re.M)
    if not match:
        raise ValueError("it has no `backend NAME { ... }` block to point at the benchmark's server")
    depth, end = 0, None
    for i in range(match.end() - 1, len(vcl)):
        depth += {"{": 1, "}": -1}.get(vcl[i], 0)
        if depth == 0:
            end = i + 1
            break
    if end is None:
        raise ValueError(f"its `backend {match.group(1)}` block does not close")
    host, port = backend.rsplit(":", 1)
    block = f'\nbackend {match.group(1)} {{\n    .host = "{host}";\n    .port = "{port}";\n}}'
    return vcl[: match.start()] + block + vcl[end:]


@contextmanager
def varnish(work: Path, name: str, backend: str, vcl: str | None = None):
    """varnishd in the foreground on a free loopback port in front of `backend` (host:port), with the
    VCL text `vcl` pointed at it, or with Varnish's built-in VCL when None; yields its base URL."""
    directory = work / f"varnish-{name}"
    directory.mkdir(exist_ok=True)
    # varnishd reads the VCL as its own unprivileged user: the temporary directories must let it.
    for readable in (work, directory):
        readable.chmod(0o755)
    address = f"127.0.0.1:{_free_port()}"
    args = ["varnishd", "-F", "-n", str(directory), "-a", address, "-s", "malloc,256m"]
    if vcl is None:
        args += ["-b", backend]
    else:
        vcl_file = directory / "site.vcl"
        vcl_file.write_text(point_vcl_at(vcl, backend))
        vcl_file.chmod(0o644)
        args += ["-f", str(vcl_file)]
    with open(directory / "varnishd.log", "wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{address}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                message = (directory / "varnishd.log").read_text(errors="replace").strip()[-2000:]
                raise RuntimeError(f"varnishd exited with status {process.returncode}: {message}")
            try:
                socket.create_connection(("127.0.0.1", int(address.rsplit(":", 1)[1])), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait()


def served_by_cache(headers: dict[str, str]) -> bool:
    """Whether Varnish answered from its cache: X-Varnish names two transactions, or the Age is above 0."""
    return len(headers.get("x-varnish", "").split()) == 2 or headers.get("age", "0") not in {"", "0"}


@contextmanager
def static_server(directory: Path):
    """Python's http.server over `directory` on a free loopback port; yields its host:port."""
    address = f"127.0.0.1:{_free_port()}"
    host, port = address.rsplit(":", 1)
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", port, "--bind", host, "--directory", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield address
    finally:
        server.terminate()
        server.wait()
