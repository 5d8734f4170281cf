"""Load benchmark: the public pages under gunicorn and wrk, cold and warm, each against a bare Django page in the same run.

    python bench/load_bench.py                      # about 3,000 clips, 20 s per wrk run
    python bench/load_bench.py --seconds 60         # longer runs, steadier figures
    python bench/load_bench.py --cache cold         # the cold pages only (CLIPDESK_PAGE_CACHE=off)
    python bench/load_bench.py --segments 1000000   # a 25,000-clip archive (loading takes minutes)
    python bench/load_bench.py --connection-per-request  # a new database connection for every request
    python bench/load_bench.py --worker-class sync --worker-class gthread --worker-class asgi  # compare them

What it does, in one run:

1. Generates an archive as bench/search_bench.py does (clips of 10 to 70 lines with speakers who
   are people, channels with countries, topics, air dates over 25 years, a quarter with an Arabic
   original) and loads it in bulk into a fresh SQLite database in a temporary directory, then
   builds the search index with `clipdesk reindex`.
2. Serves it with `clipdesk serve` (gunicorn, `--workers` processes) on loopback, first with
   `CLIPDESK_PAGE_CACHE=off` ("cold": every request renders its page), then with `on` ("warm", after
   a pass that reads every URL once). Each time, wrk runs on each page in turn, each run rotating
   through many URLs with a Lua script:
   - the bare page: the site's base template through the whole middleware stack (the peer),
   - the clip page `/clips/<number>/<slug>/` of every published clip, transcript and all,
   - the list page `/clips/` with each filter (channel, country, topic, person, year) and pages,
   - the search page `/search/?q=` over the query set of bench/search_bench.py,
   and measures the bare page again last. Prints requests/s and p99 latency for each, and each
   page's requests/s as a ratio to the bare page's (the mean of its two runs in that server).
3. Warm, also:
   - conditional requests: the first 500 URLs of each page read once for their ETag, then
     replayed by wrk with `If-None-Match`: the share answered `304 Not Modified` and requests/s;
   - through Varnish, when `varnishd` is installed and deploy/varnish/clipdesk.vcl is in the
     checkout: one hot clip page through Varnish with that VCL, beside Varnish (its built-in VCL)
     serving a static file of the same size from Python's http.server. Otherwise it says why not.
4. Ends with each figure against the issue's goals.

If this clipdesk has no `CLIPDESK_PAGE_CACHE` setting it says so: the variable is passed all the same
and "warm" then measures the same uncached pages. The machine's load average is printed with each
phase, since a shared machine's figures mean little without it.

wrk must be installed (`apt-get install wrk`). Nothing here is part of the test suite; `make bench`
runs it, in about ten minutes on 2 cores with the defaults. bench/profile_pages.py shows where a
page's time goes.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode

import search_bench
import serving

SEED = 8891


def clip_pages(pages: list[str], count: int) -> list[str]:
    """`count` clip pages spread over the archive, in a shuffled order."""
    rng = random.Random(SEED)
    return rng.sample(pages, min(count, len(pages)))


def list_pages(corpus: search_bench.Corpus) -> list[str]:
    """`/clips/` unfiltered and by each filter, first pages and later ones, as readers browse."""
    rng = random.Random(SEED + 2)
    clips = [c for c in corpus.clips if c.status == "published"]
    channels = sorted({c.channel for c in clips})
    countries = sorted({c.country for c in clips})
    topics = sorted({t for c in clips for t in c.topics})
    people = sorted({p for c in clips for p in c.people})
    years = sorted({c.aired_on.year for c in clips if c.aired_on})
    filters = (
        [{}]
        + [{"channel": v} for v in channels]
        + [{"country": v} for v in countries]
        + [{"topic": v} for v in topics]
        + [{"person": v} for v in rng.sample(people, min(100, len(people)))]
        + [{"year": v} for v in years]
        + [{"channel": rng.choice(channels), "year": rng.choice(years)} for _ in range(20)]
    )
    paths = []
    for chosen in filters:
        # Most readers stay on the first page; some go on.
        for page in (1, 2, 5) if len(chosen) == 1 or not chosen else (1,):
            query = {**chosen, "page": page} if page > 1 else chosen
            paths.append("/clips/" + (f"?{urlencode(query)}" if query else ""))
    rng.shuffle(paths)
    return paths


def search_pages(corpus: search_bench.Corpus) -> list[str]:
    return [f"/search/?q={quote(q)}" for q in search_bench.queries(corpus)]


# The goals: requests/s as a ratio to the bare page's in the same run, and the p99 of warm pages.
GOALS = {
    "cold": {"clip page": 0.15, "list page": 0.1},
    "warm": {"clip page": 0.5, "list page": 0.5, "search page": 0.4},
}
WARM_P99_MS = 20.0
CONDITIONAL_URLS = 500  # of each page, each read once for its ETag, then replayed with If-None-Match
PHASES = {"cold": "off", "warm": "on"}  # CLIPDESK_PAGE_CACHE


def report(name: str, load: serving.Load, extra: str = "") -> None:
    problems = f"   {load.problems}" if load.problems else ""
    print(
        f"  {name:<30} {load.requests_per_second:9.1f} requests/s   p99 {load.p99_ms:8.1f} ms{extra}{problems}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--segments", type=int, default=120_000, help="lines in the archive (default 120,000: ~3,000 clips)"
    )
    parser.add_argument("--seconds", type=int, default=20, help="length of each wrk run (default 20)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--worker-class",
        action="append",
        choices=["asgi", "gthread", "sync"],
        help="serve with this worker class (repeatable: each is measured in turn; default the configured one)",
    )
    parser.add_argument("--web-threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument(
        "--connection-per-request",
        action="store_true",
        help="serve with CLIPDESK_DB_CONN_MAX_AGE=0 (a new database connection per request) instead of the default",
    )
    parser.add_argument(
        "--cache",
        choices=["both", *PHASES],
        default="both",
        help="measure the pages cold (CLIPDESK_PAGE_CACHE=off), warm (on), or both in turn (default both)",
    )
    args = parser.parse_args()
    serving.require_wrk()

    corpus = search_bench.generate(args.segments)
    published = sum(1 for c in corpus.clips if c.status == "published")
    print(
        f"clipdesk load benchmark: {len(corpus.clips):,} clips ({published:,} published), "
        f"{corpus.segments:,} lines, {os.cpu_count()} CPUs, load average {_load_average()} at the start, "
        f"seed {search_bench.SEED}"
    )
    site = serving.Site(conn_max_age=0 if args.connection_per_request else None)
    try:
        site.clipdesk("migrate", "--no-input", "-v", "0")
        started = time.perf_counter()
        pages = serving.load_archive(site, corpus.clips)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        site.clipdesk("reindex", "--no-progress")
        print(
            f"  database loaded in {loaded:.0f} s, search index built in {time.perf_counter() - started:.0f} s"
        )
        rotations = {
            "clip page": clip_pages(pages, 5000),
            "list page": list_pages(corpus),
            "search page": search_pages(corpus),
        }
        if not _has_page_cache_setting(site):
            print(
                "  note: this clipdesk has no CLIPDESK_PAGE_CACHE setting; the environment variable is passed "
                "all the same, so 'cold' and 'warm' below measure the same uncached pages"
            )
        for worker_class in args.worker_class or [None]:
            measure(site, rotations, args, worker_class)
    finally:
        site.remove()


def _load_average() -> str:
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


def _has_page_cache_setting(site: serving.Site) -> bool:
    check = "import django; django.setup(); from django.conf import settings; print(hasattr(settings, 'CLIPDESK_PAGE_CACHE'))"
    out = subprocess.run(
        [sys.executable, "-c", check], env=site.env, capture_output=True, text=True, check=True
    ).stdout
    return out.strip().endswith("True")


def measure(site: serving.Site, rotations: dict[str, list[str]], args, worker_class: str | None) -> None:
    """Cold, then warm: the bare page, each page in `rotations`, the bare page again; then the ratios.
    Warm, also the conditional requests and the hot clip page through Varnish."""
    scripts = {name: serving.rotation(site, name.split()[0], paths) for name, paths in rotations.items()}
    run = {"seconds": args.seconds, "connections": args.connections, "threads": args.threads}
    extra = ["--worker-class", worker_class, "--threads", str(args.web_threads)] if worker_class else []
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s on each, "
        f"clipdesk serve --workers {args.workers}"
        + (f" --worker-class {worker_class}" if worker_class else "")
        + (", a database connection per request" if args.connection_per_request else "")
        + ", URLs rotating:"
    )
    ratios: dict[str, dict[str, tuple[float, serving.Load]]] = {}
    phases = list(PHASES) if args.cache == "both" else [args.cache]
    for phase in phases:
        setting = PHASES[phase]
        with site.serve(args.workers, *extra, env={"CLIPDESK_PAGE_CACHE": setting}) as base:
            serving.warm(
                base, [serving.BARE_PATH] + [path for paths in rotations.values() for path in paths[:20]]
            )
            if phase == "warm":
                warm_up(base, rotations, args.workers * 2)
            print(f"{phase} (CLIPDESK_PAGE_CACHE={setting}), load average {_load_average()}:")
            first = serving.wrk(base, serving.BARE_PATH, **run)
            report("bare Django page", first)
            loads = {}
            for name, paths in rotations.items():
                # wrk takes the host from the URL; the script chooses every path.
                loads[name] = serving.wrk(base, "/", script=scripts[name], **run)
                report(f"{name} ({len(paths):,} URLs)", loads[name])
            last = serving.wrk(base, serving.BARE_PATH, **run)
            report("bare Django page again", last)
            bare = (first.requests_per_second + last.requests_per_second) / 2
            print(f"  requests/s as a ratio to the bare page's ({bare:.1f}, the mean of its two runs):")
            print(
                "    "
                + "   ".join(f"{name} {load.requests_per_second / bare:.3f}x" for name, load in loads.items())
            )
            ratios[phase] = {name: (load.requests_per_second / bare, load) for name, load in loads.items()}
            if phase == "warm":
                conditional_requests(site, base, rotations, bare, run)
                through_varnish(site, base, rotations["clip page"][0], run)
    print("against the issue's goals (ratio to the bare page of the same run; warm pages also p99 <= 20 ms):")
    for phase, goals in GOALS.items():
        for name, goal in goals.items():
            if name not in ratios.get(phase, {}):
                continue
            ratio, load = ratios[phase][name]
            met = ratio >= goal and (phase == "cold" or load.p99_ms <= WARM_P99_MS)
            p99 = f", p99 {load.p99_ms:.1f} ms" if phase == "warm" else ""
            print(f"  {phase} {name:<12} {ratio:6.3f}x{p99}   goal {goal}x: {'met' if met else 'NOT met'}")


def warm_up(base: str, rotations: dict[str, list[str]], parallel: int) -> None:
    """Every URL of every rotation read twice, so that the page cache holds them all: the first reading
    gives the tags a page shows their first versions, and the cache keeps no page rendered within
    CLIPDESK_PAGE_CACHE_SKEW_MS of a change to one of its tags."""
    paths = [path for paths in rotations.values() for path in paths]
    started = time.perf_counter()
    for round in (1, 2):
        with ThreadPoolExecutor(parallel) as pool:
            for done, _ in enumerate(pool.map(lambda path: serving.fetch(base + path), paths), 1):
                if done % 1000 == 0:
                    print(f"  warming up ({round} of 2): {done:,} of {len(paths):,} URLs read", flush=True)
    print(f"  warmed up: {len(paths):,} URLs read twice in {time.perf_counter() - started:.0f} s")


def conditional_requests(
    site: serving.Site, base: str, rotations: dict[str, list[str]], bare: float, run: dict
) -> None:
    """Each page's first URLs read once for their ETags, then replayed by wrk with If-None-Match."""
    print(
        f"  conditional requests (If-None-Match with the ETag each URL answered; {CONDITIONAL_URLS} URLs a page):"
    )
    for name, paths in rotations.items():
        tagged = []
        for path in paths[:CONDITIONAL_URLS]:
            status, headers, _ = serving.fetch(base + path)
            if status == 200 and headers.get("etag"):
                tagged.append((path, headers["etag"]))
        if not tagged:
            print(f"    {name}: skipped, its pages answer without an ETag")
            continue
        measured = serving.conditional(site, name.split()[0], base, tagged, **run)
        report(
            f"  {name} ({len(tagged)} with an ETag)",
            measured.load,
            f"   {measured.share:6.1%} answered 304   {measured.load.requests_per_second / bare:.3f}x the bare page",
        )


def through_varnish(site: serving.Site, base: str, path: str, run: dict) -> None:
    """One hot clip page through Varnish with the committed VCL, beside Varnish serving a static
    file of the same size (its built-in VCL in front of Python's http.server)."""
    print(f"  through Varnish ({serving.VCL_FILE.relative_to(serving.ROOT)}), one hot clip page:")
    if not shutil.which("varnishd"):
        print(f"    skipped: varnishd is not installed ({serving.INSTALL_VARNISH})")
        return
    if not serving.VCL_FILE.exists():
        print(f"    skipped: {serving.VCL_FILE.relative_to(serving.ROOT)} is not in this checkout")
        return
    try:
        with serving.varnish(
            site.work, "clipdesk", base.removeprefix("http://"), serving.VCL_FILE.read_text()
        ) as front:
            for _ in range(3):
                status, headers, body = serving.fetch(front + path)
            cached = serving.served_by_cache(headers)
            page = serving.wrk(front, path, **run)
    except (ValueError, RuntimeError) as error:
        print(f"    skipped: the VCL could not be used: {error}")
        return
    static = site.work / "static-peer"
    static.mkdir(exist_ok=True)
    (static / "page.html").write_bytes(body)
    with serving.static_server(static) as origin, serving.varnish(site.work, "static", origin) as front:
        for _ in range(3):
            _, peer_headers, _ = serving.fetch(front + "/page.html")
        peer = serving.wrk(front, "/page.html", **run)
    note = "" if cached else "   (NOT from Varnish's cache: the page was passed to clipdesk)"
    report(f"  clip page ({status}, {len(body):,} bytes)", page, note)
    report(
        f"  static file, {len(body):,} bytes",
        peer,
        "" if serving.served_by_cache(peer_headers) else "   (NOT from Varnish's cache)",
    )
    print(
        f"    clip page through Varnish: {page.requests_per_second / peer.requests_per_second:.3f}x the static file"
    )


if __name__ == "__main__":
    main()
