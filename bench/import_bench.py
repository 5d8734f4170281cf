"""Import benchmark: `clipdesk import-archive` on 10,000 generated clip pages, beside the HTML parser alone.

    python bench/import_bench.py                 # 10,000 pages
    python bench/import_bench.py --pages 1000    # a quicker look

What it does, in one run:

1. Writes 10,000 HTML pages into a temporary folder, generated from a seed in the layouts the
   importer meets (quoted and unquoted turns, descriptive labels, groups, notes and stage
   directions, older "Clip No." pages, pages without numbers, one page in twenty with a separate
   transcript page), with about 40 channels shared across pages.
2. The peer: parses every page with BeautifulSoup and the standard library's html.parser alone
   (`get_text()`), in this process. That is the floor for any importer that reads saved HTML.
3. Runs `clipdesk import-archive` on the folder into a fresh SQLite database: reading, pairing,
   parsing, and writing each page in its own transaction with its history, report and journal.
   Prints pages per second and the peak memory of the importing process and of its readers.

The goal is at least 50 pages per second on a 2-core machine. Nothing here is part of the test
suite; `make bench` runs it.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SEED = 8891
FIRST = [
    "Firas",
    "Samir",
    "Nabil",
    "Rami",
    "Omar",
    "Hadi",
    "Salem",
    "Karim",
    "Leila",
    "Marwan",
    "Hany",
    "Reza",
]
LAST = ["Haddad", "Aziz", "Khoury", "Khalil", "Nasser", "Salman", "Obeidi", "Belkacem", "Saadi", "Fathy"]
ROLES = ["Syrian analyst", "Egyptian cleric", "Former Jordanian minister of information", "Iraqi MP", ""]
COUNTRIES = ["Lebanon", "Iran", "Egypt", "Iraq", "Syria", "Jordan", "Gaza", "Yemen"]
WORDS = [
    "the",
    "negotiations",
    "will",
    "fail",
    "because",
    "nobody",
    "at",
    "the",
    "table",
    "wants",
    "them",
    "to",
    "succeed",
    "and",
    "the",
    "people",
    "know",
    "it",
    "we",
    "have",
    "seen",
    "this",
    "before",
    "in",
    "every",
    "decade",
    "since",
    "the",
    "war",
    "and",
    "the",
    "economy",
    "pays",
    "the",
    "price",
]


def _sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def _page(rng: random.Random, n: int) -> tuple[str, str | None]:
    """One page's HTML, and its separate transcript page's HTML when it has one."""
    guest = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    role = rng.choice(ROLES)
    channel = f"Example {rng.randint(1, 40)} TV"
    country = COUNTRIES[sum(map(ord, channel)) % len(COUNTRIES)]
    number = 10_000 + n
    quoted = rng.random() < 0.7
    q = '"' if quoted else ""
    layout = rng.random()
    if layout < 0.1:
        header = f"<p>Clip No. {number}</p><p>Duration: 0{rng.randint(1, 9)}:1{rng.randint(0, 9)}</p>"
    elif layout < 0.15:
        header = ""
    else:
        header = f"<p>#{number} | 0{rng.randint(1, 9)}:{rng.randint(10, 59)}</p>"
    turns = []
    label = f"{role} {guest}".strip()
    for i in range(rng.randint(4, 24)):
        kind = rng.random()
        if kind < 0.05:
            turns.append("<p>[Applause]</p>")
        elif kind < 0.08:
            turns.append("<p>Crowd: " + q + "Allah Akbar!" + q + "</p>")
        elif kind < 0.35:
            turns.append(f"<p><b>Host:</b> {q}{_sentence(rng)}{q}</p>")
        elif kind < 0.5 and turns:
            turns.append(f"<p>{q}{_sentence(rng)} {_sentence(rng)}{q}</p>")
        else:
            name = label if i == 0 else guest.split()[-1] if rng.random() < 0.3 else guest
            turns.append(f"<p><b>{name}:</b> {q}{_sentence(rng)} {_sentence(rng)}{q}</p>")
    summary = (
        f"<p>{label} said that {_sentence(rng).lower()} It aired on {channel} on "
        f"May {rng.randint(1, 28)}, {rng.randint(2004, 2021)}. For more about {guest}, see Example "
        f"Monitor clips No. {rng.randint(1000, 9999)} and {rng.randint(1000, 9999)}.</p>"
    )
    head = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<link rel='canonical' href='https://archive.example.org/clips/{number}'>"
        "<script>var tracker = 1;</script></head><body><nav><a href='/'>Home</a> <a href='/donate'>Donate</a>"
        "</nav><main><p>June 1, 2019</p>"
        f"<h1>{label}: {_sentence(rng)}</h1>{header}<p>Source: {channel} ({country})</p>{summary}"
    )
    tail = "</main><footer>Share this Clip:</footer></body></html>"
    if rng.random() < 0.05:
        transcript = f"<html><body><main><h1>Transcript</h1>{''.join(turns)}</main></body></html>"
        return head + "<p>Transcript is pending.</p>" + tail, transcript
    return head + "".join(turns) + tail, None


def generate(folder: Path, pages: int) -> list[Path]:
    rng = random.Random(SEED)
    files = []
    for n in range(pages):
        html, transcript = _page(rng, n)
        path = folder / f"clip-{n:05d}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
        if transcript:
            (folder / f"clip-{n:05d}-transcript.html").write_text(transcript, encoding="utf-8")
    return files


def peer(folder: Path) -> tuple[int, float]:
    from bs4 import BeautifulSoup

    files = sorted(folder.glob("*.html"))
    started = time.perf_counter()
    for path in files:
        BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text("\n")
    return len(files), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=None, help="reader processes (default: the importer's)")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="clipdesk-import-bench-")
    os.environ["CLIPDESK_VAR_DIR"] = workdir.name
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("CLIPDESK_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "clipdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from clipdesk.transcripts.archiveimport import import_archive

    call_command("migrate", verbosity=0)
    folder = Path(workdir.name) / "site"
    folder.mkdir()
    generate(folder, args.pages)
    files = len(list(folder.iterdir()))
    print(f"{args.pages} pages generated ({files} files, with the separate transcript pages)")

    count, seconds = peer(folder)
    print(f"peer: BeautifulSoup (html.parser) alone:  {count / seconds:8.1f} files/s  ({seconds:.1f} s)")

    started, cpu = time.perf_counter(), time.process_time()
    report = import_archive(folder, report_dir=Path(workdir.name) / "report", workers=args.jobs)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = len(report.rows)
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"clipdesk import-archive:                 {rows / seconds:8.1f} pages/s  ({seconds:.1f} s, "
        f"{report.count('imported')} imported, {report.count('refused')} refused, "
        f"{report.needs_review} need review)"
    )
    # The writing process is the bottleneck (the readers run beside it on the other core): its CPU
    # time per page is the rate an idle machine gives, whatever else the machine is running.
    print(
        f"importing process: {1000 * cpu / rows:.1f} ms of CPU a page ({rows / cpu:.1f} pages per CPU-second)"
    )
    print(f"peak memory of the importing process: {me:.0f} MiB (readers are separate processes)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"goal: >= 50 pages/s on 2 cores: {'met' if rows / seconds >= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
