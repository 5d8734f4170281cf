"""Load benchmark: the public pages under gunicorn and wrk, each against a bare Django page in the same run.

    python bench/load_bench.py                      # about 3,000 clips, 20 s per page
    python bench/load_bench.py --seconds 60         # longer runs, steadier figures
    python bench/load_bench.py --segments 1000000   # a 25,000-clip archive (loading takes minutes)
    python bench/load_bench.py --connection-per-request  # a new database connection for every request
    python bench/load_bench.py --worker-class sync --worker-class gthread --worker-class asgi  # compare them

What it does, in one run:

1. Generates an archive as bench/search_bench.py does (clips of 10 to 70 lines with speakers who
   are people, channels with countries, topics, air dates over 25 years, a quarter with an Arabic
   original) and loads it in bulk into a fresh SQLite database in a temporary directory, then
   builds the search index with `clipdesk reindex`.
2. Serves it with `clipdesk serve` (gunicorn, `--workers` processes) on loopback.
3. Runs wrk on each page in turn, each run rotating through many URLs with a Lua script:
   - the bare page: the site's base template through the whole middleware stack (the peer),
   - the clip page `/clips/<number>/<slug>/` of every published clip, transcript and all,
   - the list page `/clips/` with each filter (channel, country, topic, person, year) and pages,
   - the search page `/search/?q=` over the query set of bench/search_bench.py (clipdesk keeps no
     result cache: every request searches),
   and measures the bare page again last. Prints requests/s and p99 latency for each, and each
   page's requests/s as a ratio to the bare page's (the mean of its two runs).

wrk must be installed (`apt-get install wrk`). Nothing here is part of the test suite; `make bench`
runs it, in about three minutes on 2 cores with the defaults.
"""

import argparse
import os
import random
import time
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


def report(name: str, load: serving.Load) -> None:
    problems = f"   {load.problems}" if load.problems else ""
    print(f"  {name:<24} {load.requests_per_second:9.1f} requests/s   p99 {load.p99_ms:8.1f} ms{problems}")


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
    args = parser.parse_args()
    serving.require_wrk()

    corpus = search_bench.generate(args.segments)
    published = sum(1 for c in corpus.clips if c.status == "published")
    print(
        f"clipdesk load benchmark: {len(corpus.clips):,} clips ({published:,} published), "
        f"{corpus.segments:,} lines, {os.cpu_count()} CPUs, seed {search_bench.SEED}"
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
        for worker_class in args.worker_class or [None]:
            measure(site, rotations, args, worker_class)
    finally:
        site.remove()


def measure(site: serving.Site, rotations: dict[str, list[str]], args, worker_class: str | None) -> None:
    """The bare page, each page in `rotations`, the bare page again; then the ratios."""
    scripts = {name: serving.rotation(site, name.split()[0], paths) for name, paths in rotations.items()}
    run = {"seconds": args.seconds, "connections": args.connections, "threads": args.threads}
    extra = ["--worker-class", worker_class, "--threads", str(args.web_threads)] if worker_class else []
    with site.serve(args.workers, *extra) as base:
        serving.warm(
            base, [serving.BARE_PATH] + [path for paths in rotations.values() for path in paths[:20]]
        )
        print(
            f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s on each, "
            f"clipdesk serve --workers {args.workers}"
            + (f" --worker-class {worker_class}" if worker_class else "")
            + (", a database connection per request" if args.connection_per_request else "")
            + ", URLs rotating:"
        )
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
    print(f"requests/s as a ratio to the bare page's ({bare:.1f}, the mean of its two runs):")
    print("  " + "   ".join(f"{name} {load.requests_per_second / bare:.3f}x" for name, load in loads.items()))


if __name__ == "__main__":
    main()
