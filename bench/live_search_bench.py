"""Search over the recordings: clipdesk's live-line engine against bare tantivy, over the same lines.

    python bench/live_search_bench.py                    # 10,000,000 live lines, 520 queries
    python bench/live_search_bench.py --lines 500000     # a quick run
    python bench/live_search_bench.py --keep DIR         # build once into DIR, measure again later
    python bench/live_search_bench.py --keep DIR         # (again: DIR holds that many lines, so it is measured, not built)

What it does, in one run:

1. Generates live lines as 100 channels would say them, one every 6 seconds each, for as many days as
   the count needs (10 million lines is about a week): 70 % Arabic with an English draft (vowelled and
   spelled in variants now and then), 15 % Farsi with a draft, 15 % English, from Zipf vocabularies
   (bench/search_bench.py's generator).
2. Indexes them twice, a chunk at a time: with clipdesk's `TantivyLiveBackend` (an index per ISO week,
   per-language fields, Arabic normalized and light-stemmed, a commit per chunk as lines arrive), and
   with bare tantivy (one index, one English-stemmed field holding both texts, one commit).
3. Runs the same queries (1-word, 2-word and phrases, a tenth Arabic) through both, top 20 lines, by
   relevance and newest first, each query through one and then the other (so the machine's other
   load falls on both alike), and prints p50, p95 and p99 and the ratio of p95s. clipdesk's side
   includes parsing the query language, normalization and stemming, every week's index, and merging.

Goal (issue 15): p95 at most 1.2x the peer's. Nothing here is part of the test suite; `make bench` runs it.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import tantivy  # noqa: E402 - after the path above

from clipdesk.alerts.backends.tantivy import TantivyLiveBackend  # noqa: E402
from clipdesk.alerts.interfaces import LineDocument, LiveSearchRequest  # noqa: E402
from clipdesk.search.analysis import build_query  # noqa: E402
from clipdesk.search.normalize import normalize  # noqa: E402
from clipdesk.search.querylang import parse  # noqa: E402
from search_bench import SEED, Zipf, _arabic, _arabic_words, _english, _pseudo_words, percentiles  # noqa: E402

CHANNELS = 100
EVERY = 6  # seconds between a channel's lines
START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)  # a Monday: a week of lines fills about one week's index
CHUNK = 500_000


class Generator:
    def __init__(self, seed: int = SEED):
        rng = random.Random(seed)
        self.english_vocab = _pseudo_words(rng, 40_000)
        self.arabic_vocab = _arabic_words(rng, 30_000)
        self.farsi_vocab = _arabic_words(rng, 20_000)
        self.english = Zipf(self.english_vocab)
        self.arabic = Zipf(self.arabic_vocab)
        self.farsi = Zipf(self.farsi_vocab)
        self.seed = seed
        self.sample: list[str] = []  # some lines' texts, for phrase queries

    def lines(self, first: int, count: int) -> list[LineDocument]:
        rng = random.Random(self.seed * 1_000_003 + first)
        out = []
        for i in range(first, first + count):
            n = max(4, min(24, round(rng.lognormvariate(0, 0.4) * 11)))
            kind = rng.random()
            if kind < 0.7:
                language, text, english = "ar", _arabic(rng, self.arabic, n), _english(rng, self.english, n)
            elif kind < 0.85:
                language, text, english = "fa", _arabic(rng, self.farsi, n), _english(rng, self.english, n)
            else:
                language, text, english = "en", _english(rng, self.english, n), ""
            start = START + dt.timedelta(seconds=(i // CHANNELS) * EVERY)
            out.append(LineDocument(i + 1, start.date(), i % CHANNELS + 1, start, language, text, english))
            if rng.random() < 0.0005 and len(self.sample) < 5000:
                self.sample.append(english or text)
        return out


def queries(generator: Generator, seed: int = SEED) -> list[str]:
    """520 queries: 220 one-word, 180 two-word, 120 phrases; about a tenth Arabic."""
    rng = random.Random(seed + 1)

    def word() -> str:
        if rng.random() < 0.1:
            return generator.arabic_vocab[int(rng.lognormvariate(4, 1.5)) % len(generator.arabic_vocab)]
        return generator.english_vocab[int(rng.lognormvariate(5, 1.6)) % len(generator.english_vocab)]

    found = [word() for _ in range(220)]
    found += [f"{word()} {word()}" for _ in range(180)]
    while len(found) < 520:
        words = [w.strip(".,?") for w in rng.choice(generator.sample).split()]
        if len(words) >= 2:
            i = rng.randrange(len(words) - 1)
            found.append(f'"{words[i]} {words[i + 1]}"')
    return found


def bare_index(directory: Path) -> tuple[tantivy.Index, tantivy.IndexWriter]:
    """Plain tantivy as its documentation sets it up: one English-stemmed field, ids and times fast."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", tokenizer_name="en_stem")
    builder.add_unsigned_field("line_id", fast=True, indexed=True)
    builder.add_integer_field("start", fast=True, indexed=True)
    directory.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(builder.build(), path=str(directory))
    return index, index.writer(heap_size=500_000_000, num_threads=1)


def build(
    total: int, directory: Path, generator: Generator
) -> tuple[TantivyLiveBackend, tantivy.Index, float, float]:
    ours = TantivyLiveBackend(directory / "clipdesk")
    bare, writer = bare_index(directory / "bare")
    ours_seconds = bare_seconds = 0.0
    made = 0
    while made < total:
        chunk = generator.lines(made, min(CHUNK, total - made))
        started = time.perf_counter()
        ours.index_lines(chunk, replace=False)
        ours_seconds += time.perf_counter() - started
        started = time.perf_counter()
        for line in chunk:
            doc = tantivy.Document()
            doc.add_text("text", f"{line.english}\n{normalize(line.text)}")
            doc.add_unsigned("line_id", line.line_id)
            doc.add_integer("start", int(line.start.timestamp()))
            writer.add_document(doc)
        bare_seconds += time.perf_counter() - started
        made += len(chunk)
        print(f"  indexed {made:,} of {total:,} lines", file=sys.stderr, flush=True)
    started = time.perf_counter()
    writer.commit()
    writer.wait_merging_threads()
    bare.reload()
    bare_seconds += time.perf_counter() - started
    return ours, bare, ours_seconds, bare_seconds


def time_clipdesk(backend: TantivyLiveBackend, query: str, sort: str) -> float:
    started = time.perf_counter()
    built, _ = build_query(parse(query))
    hits = backend.search(LiveSearchRequest(built, sort=sort, limit=20))  # type: ignore[arg-type]
    [h.line_id for h in hits.lines]
    return time.perf_counter() - started


def time_bare(index: tantivy.Index, query: str, sort: str) -> float:
    started = time.perf_counter()
    searcher = index.searcher()
    parsed = index.parse_query(query, ["text"], conjunction_by_default=True)
    if sort == "date":
        result = searcher.search(parsed, 20, count=False, order_by_field="start")
    else:
        result = searcher.search(parsed, 20, count=False)
    searcher.fast_field_values("line_id", [address for _, address in result.hits])
    return time.perf_counter() - started


def measure(runs: dict[str, Callable[[str], float]], query_set: list[str], rounds: int) -> dict[str, dict]:
    """Each query through every engine in turn, `rounds` times, after a pass that warms them."""
    for q in query_set:  # warm the page cache and the term dictionaries
        for run in runs.values():
            run(q)
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for q in query_set:
            for name, run in runs.items():
                samples[name].append(run(q))
    found = {}
    for name, taken in samples.items():
        figures = found[name] = percentiles(taken)
        print(
            f"  {name:<30} p50 {figures['p50']:7.2f} ms   p95 {figures['p95']:7.2f} ms   p99 {figures['p99']:7.2f} ms"
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lines", type=int, default=10_000_000, help="live lines to generate (default 10,000,000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="times each query is run (default 3)")
    parser.add_argument("--keep", type=Path, help="build into this directory and keep it")
    args = parser.parse_args()

    generator = Generator()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="live-search-bench-"))
    print(
        f"Live search benchmark: {args.lines:,} lines of {CHANNELS} channels, load average {os.getloadavg()[0]:.2f}"
    )
    try:
        marker = directory / "built.json"
        kept = json.loads(marker.read_text()) if args.keep and marker.exists() else {}
        if kept.get("lines") == args.lines:
            generator.sample = kept["sample"]  # the phrase queries come from the lines generated then
            ours, bare = (
                TantivyLiveBackend(directory / "clipdesk"),
                tantivy.Index.open(str(directory / "bare")),
            )
            print(f"  {args.lines:,} lines already indexed in {directory}: measuring them")
        else:
            for half in ("clipdesk", "bare"):  # a build that stopped part way is started again
                shutil.rmtree(directory / half, ignore_errors=True)
            ours, bare, ours_seconds, bare_seconds = build(args.lines, directory, generator)
            marker.write_text(json.dumps({"lines": args.lines, "sample": generator.sample}))
            print(
                f"  indexing: clipdesk {ours_seconds:.1f} s ({len(ours.weeks())} weekly indexes), "
                f"bare tantivy {bare_seconds:.1f} s: {ours_seconds / bare_seconds:.2f}x"
            )
        query_set = queries(generator)
        for sort in ("relevance", "date"):
            print(f"Top 20 lines, {sort}, {len(query_set)} queries x {args.rounds}:")
            figures = measure(
                {
                    "clipdesk live search": lambda q, sort=sort: time_clipdesk(ours, q, sort),
                    "bare tantivy": lambda q, sort=sort: time_bare(bare, q, sort),
                },
                query_set,
                args.rounds,
            )
            mine, peer = figures["clipdesk live search"], figures["bare tantivy"]
            print(
                f"  p95 ratio {mine['p95'] / peer['p95']:.2f}x (goal <= 1.2x)   p50 ratio {mine['p50'] / peer['p50']:.2f}x"
            )
        print(f"Load average at the end: {os.getloadavg()[0]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
