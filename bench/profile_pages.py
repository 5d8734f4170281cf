"""Where a public page's time goes: the pages of the load benchmark's archive, profiled with pyinstrument.

    python bench/profile_pages.py                          # bare, clip, list and search pages, 200 requests each
    python bench/profile_pages.py --page list --requests 500
    python bench/profile_pages.py --keep /tmp/archive      # keep the loaded archive ...
    python bench/profile_pages.py --site /tmp/archive      # ... and profile it again without loading it
    python bench/profile_pages.py --site /tmp/archive --src ../other/src  # another checkout's code, same archive
    python bench/profile_pages.py --cache warm --page bare --page clip     # page cache hits only

Builds the archive of bench/load_bench.py (the same generator, seed and URL rotations), then in one
process, through Django's whole request handler and middleware (no HTTP server, no wrk), requests each
page's URLs in turn under pyinstrument and prints, per page and state of the page cache: milliseconds per
request, SQL queries per request, pyinstrument's call tree of where that time went, and the functions that took the most time
with what they called (reverse(), template rendering, building SQL...). Milliseconds of CPU are given
beside the wall-clock ones, since a shared machine's other work shows in the latter. `--html DIR` also writes each profile as
pyinstrument's HTML page. The states of the page cache (`--cache`, each by default):

- `off`: the page cache off (CLIPDESK_PAGE_CACHE=off), every request renders its page: load_bench's "cold";
- `miss`: the page cache on, every request for an address never asked before (the path with a
  `_miss=N` parameter the pages ignore): looked up, rendered and stored;
- `warm`: the page cache on, every address read twice before: a public page is a hit, the bare page (never
  stored) is rendered as it is in load_bench's "warm" phase.

Nothing here is part of the test suite, and `make bench` does not run it (the
file name does not end in `_bench.py`); the figures are for comparing code, not machines.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import load_bench
import search_bench
import serving

# Run in the site's environment (its settings, database and index), in a process of its own.
PROFILER = """
import collections, json, sys, time
import django
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
from pyinstrument import Profiler

plan = json.load(open(sys.argv[1]))
client = Client(HTTP_HOST="127.0.0.1")
queries = 0


def counted(execute, sql, params, many, context):
    global queries
    queries += 1
    return execute(sql, params, many, context)


def inclusive(frame, totals, above=frozenset()):
    # Each function's time with what it called, counted once where it calls itself.
    key = f"{frame.function}  {frame.file_path_short}:{frame.line_no}"
    if key not in above:
        totals[key] += frame.time
    for child in frame.children:
        inclusive(child, totals, above | {key})
    return totals


# A page is stored as soon as it is rendered (one process, one clock).
settings.CLIPDESK_PAGE_CACHE_SKEW_MS = 0
# Addresses never asked before, in this run or an earlier one on the same archive (its page cache is kept).
misses = (f"{time.time_ns()}-{n}" for n in range(10**9))


def addresses(chosen, cache):
    # The addresses one pass asks for: in the state `miss`, each one never asked before.
    if cache != "miss":
        return chosen
    return [f"{path}{'&' if '?' in path else '?'}_miss={next(misses)}" for path in chosen]


def measured(name, paths, cache):
    settings.CLIPDESK_PAGE_CACHE = cache != "off"
    global queries
    for path in paths[:20]:  # templates compiled, connections open, the index read once
        assert client.get(path).status_code == 200, path
    count = plan["requests"]
    chosen = [paths[i % len(paths)] for i in range(count)]
    if cache == "warm":  # the first reading gives the tags their versions, the second stores each page
        for path in chosen + chosen:
            client.get(path)
    states = collections.Counter()
    asked = addresses(chosen, cache)
    started, cpu, queries = time.perf_counter(), time.process_time(), 0
    with connection.execute_wrapper(counted):
        for path in asked:
            states[client.get(path).get("X-Page-Cache", "none")] += 1
    wall = (time.perf_counter() - started) / count * 1000
    cpu = (time.process_time() - cpu) / count * 1000
    asked = addresses(chosen, cache)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for path in asked:
        client.get(path)
    profiler.stop()
    answered = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    print(f"== {name}, page cache {cache}: {wall:.2f} ms a request ({cpu:.2f} ms of CPU), "
          f"{queries / count:.1f} SQL queries a request, over {count} requests ({len(paths):,} URLs; "
          f"X-Page-Cache: {answered})")
    return profiler


def report(name, cache, profiler):
    print(profiler.output_text(unicode=True, color=False, show_all=False, time="percent_of_total").rstrip())
    print(f"-- {name}: share of the time in each function with what it called (the top {plan['top']})")
    root = profiler.last_session.root_frame()
    totals = inclusive(root, collections.Counter())
    for key, seconds in totals.most_common(plan["top"]):
        print(f"  {seconds / root.time:6.1%}  {key}")
    if plan["html"]:
        with open(f"{plan['html']}/{name.replace(' ', '-')}-{cache}.html", "w") as out:
            out.write(profiler.output_html())
    print()


for cache in plan["caches"]:
    for name, paths in plan["pages"].items():
        profiler = measured(name, paths, cache)
        if plan["profiles"]:
            report(name, cache, profiler)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--segments", type=int, default=120_000, help="lines in the archive (default 120,000)"
    )
    parser.add_argument("--requests", type=int, default=200, help="requests profiled per page (default 200)")
    parser.add_argument(
        "--page",
        action="append",
        choices=["bare", "clip", "list", "search"],
        help="profile only these (repeatable)",
    )
    parser.add_argument("--keep", type=Path, help="load the archive into this new directory and keep it")
    parser.add_argument("--site", type=Path, help="profile an archive kept earlier with --keep (no loading)")
    parser.add_argument(
        "--top",
        type=int,
        default=40,
        help="functions listed by their time with what they called (default 40)",
    )
    parser.add_argument(
        "--src", type=Path, help="profile the clipdesk under this src/ directory instead (another checkout's)"
    )
    parser.add_argument("--html", type=Path, help="also write each profile as HTML into this directory")
    parser.add_argument(
        "--cache",
        action="append",
        choices=["off", "miss", "warm"],
        help="the page cache's state (repeatable; default off, miss and warm in turn)",
    )
    parser.add_argument(
        "--figures-only", action="store_true", help="print the figures of each page without its profile"
    )
    args = parser.parse_args()

    corpus = search_bench.generate(args.segments)
    if args.site:
        site = serving.Site(work=args.site)
        pages = (site.work / "clip-pages.txt").read_text().split()
    else:
        site = serving.Site(work=args.keep)
        site.clipdesk("migrate", "--no-input", "-v", "0")
        started = time.perf_counter()
        pages = serving.load_archive(site, corpus.clips)
        site.clipdesk("reindex", "--no-progress")
        print(f"archive of {len(corpus.clips):,} clips loaded in {time.perf_counter() - started:.0f} s")
    rotations = {
        "bare": [serving.BARE_PATH],
        "clip": load_bench.clip_pages(pages, 5000),
        "list": load_bench.list_pages(corpus),
        "search": load_bench.search_pages(corpus),
    }
    chosen = args.page or ["bare", "clip", "list", "search"]
    plan = {
        "pages": {f"{name} page": rotations[name] for name in chosen},
        "requests": args.requests,
        "top": args.top,
        "caches": args.cache or ["off", "miss", "warm"],
        "profiles": not args.figures_only,
        "html": str(args.html) if args.html else "",
    }
    if args.html:
        args.html.mkdir(parents=True, exist_ok=True)
    if args.src:
        site.env["PYTHONPATH"] = f"{site.work}{os.pathsep}{args.src.resolve()}"
    try:
        plan_file = site.work / "profile-plan.json"
        plan_file.write_text(json.dumps(plan))
        subprocess.run([sys.executable, "-c", PROFILER, str(plan_file)], env=site.env, check=True)
    finally:
        if not (args.keep or args.site):
            site.remove()


if __name__ == "__main__":
    main()
