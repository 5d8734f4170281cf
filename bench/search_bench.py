# ruff: noqa: RUF001 - Arabic letters in string literals are meant
"""Search benchmark: clipdesk's search interface against bare tantivy, over the same generated corpus.

    python bench/search_bench.py                    # 1,000,000 segments, 520 queries
    python bench/search_bench.py --segments 200000  # a smaller corpus
    python bench/search_bench.py --wrk              # also the search page under gunicorn, measured with wrk
    python bench/search_bench.py --wrk --connection-per-request  # ... with CLIPDESK_DB_CONN_MAX_AGE=0
    python bench/search_bench.py --fts5             # also SQLite FTS5, the other embedded engine

What it does, in one run:

1. Generates a corpus of transcript segments grouped into clips: English lines of realistic length
   drawn from a Zipf vocabulary (with inflected forms, so stemming matters), a quarter of them with an
   Arabic original (vowelled now and then, so normalization matters), titles, summaries, people.
2. Indexes it twice: with clipdesk's tantivy backend, and with bare tantivy (one field, tantivy's own
   English analyzer, no normalization).
3. Runs a fixed set of queries (1-word, 2-word and phrases, some Arabic) through both, top 20 each,
   and prints p50, p95 and p99 and the ratio. clipdesk's side includes parsing, normalization,
   stemming and grouping the lines into clips (a result is a clip; the peer's is a line).
4. With --wrk: loads the corpus into a fresh SQLite database, rebuilds the index from it as
   `clipdesk reindex` does, serves the site with gunicorn, and measures /search/ (rotating through the
   query set, 20 results with highlights and facets) beside a bare Django page in the same run.

Nothing here is part of the test suite; `make bench` runs it.
"""

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import tantivy  # noqa: E402 - after the path above

import serving  # noqa: E402
from clipdesk.search.analysis import build_query  # noqa: E402
from clipdesk.search.backends.tantivy import TantivyBackend  # noqa: E402
from clipdesk.search.interfaces import ClipDocument, SearchRequest, SegmentDocument  # noqa: E402
from clipdesk.search.normalize import normalize  # noqa: E402
from clipdesk.search.querylang import parse  # noqa: E402

SEED = 8891
ZIPF_S = 1.07

# Generation ----------------------------------------------------------------------------------------

CONSONANTS = "bcdfghjklmnprstvwz"
VOWELS = "aeiou"
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
ARABIC_VARIANTS = {"ا": "أإآ", "ي": "ى", "ه": "ة"}
HARAKAT = "\u064e\u064f\u0650\u0651\u0652"
SUFFIXES = ("", "", "", "s", "ing", "ed", "er")


def _pseudo_words(rng: random.Random, count: int, syllables=(1, 4)) -> list[str]:
    seen: set[str] = set()
    words = []
    while len(words) < count:
        word = "".join(
            rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.randint(*syllables))
        ) + rng.choice(("", "", "n", "t", "r", "l"))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _arabic_words(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = set()
    words = []
    while len(words) < count:
        word = "".join(rng.choice(ARABIC_LETTERS) for _ in range(rng.randint(3, 7)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Zipf:
    def __init__(self, words: list[str], s: float = ZIPF_S):
        self.words = words
        total = 0.0
        self.cumulative = []
        for rank in range(1, len(words) + 1):
            total += 1 / rank**s
            self.cumulative.append(total)

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


def _length(rng: random.Random, mean: float, low: int, high: int) -> int:
    return max(low, min(high, round(rng.lognormvariate(0, 0.5) * mean)))


def _english(rng: random.Random, vocab: Zipf, n: int) -> str:
    words = [w + rng.choice(SUFFIXES) if rng.random() < 0.3 else w for w in vocab.draw(rng, n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice((".", ".", "?", ","))


def _arabic(rng: random.Random, vocab: Zipf, n: int) -> str:
    out = []
    for word in vocab.draw(rng, n):
        if rng.random() < 0.2:  # a written variant: hamza on the alef, alef maqsura, ta marbuta
            word = "".join(
                rng.choice(ARABIC_VARIANTS.get(ch, ch)) if rng.random() < 0.5 else ch for ch in word
            )
        if rng.random() < 0.15:  # vowelled
            word = "".join(ch + rng.choice(HARAKAT) for ch in word)
        out.append(word)
    return " ".join(out)


@dataclass
class Corpus:
    clips: list[ClipDocument]
    english_vocab: list[str]
    arabic_vocab: list[str]

    @property
    def segments(self) -> int:
        return sum(len(c.segments) for c in self.clips)


def generate(segments: int, seed: int = SEED) -> Corpus:
    rng = random.Random(seed)
    english_words = _pseudo_words(rng, 60_000)
    arabic_words = _arabic_words(rng, 30_000)
    english, arabic = Zipf(english_words), Zipf(arabic_words)
    channels = [(f"channel-{i}", f"Channel {i} TV", f"Country {i % 12}") for i in range(40)]
    people = [
        (f"person-{i}", " ".join(w.capitalize() for w in _pseudo_words(rng, 2, (2, 3)))) for i in range(2000)
    ]
    topics = [f"topic-{i}" for i in range(60)]
    clips = []
    segment_id = 0
    clip_id = 0
    start = dt.date(2000, 1, 1).toordinal()
    while segment_id < segments:
        clip_id += 1
        count = min(rng.randint(10, 70), segments - segment_id)
        language = rng.choices(("ar", "fa", "en"), weights=(25, 5, 70))[0]
        speakers = rng.sample(people, 2)
        lines = []
        for position in range(count):
            segment_id += 1
            who = speakers[position % 2]
            original = _arabic(rng, arabic, _length(rng, 14, 2, 50)) if language in ("ar", "fa") else ""
            lines.append(
                SegmentDocument(
                    segment_id=segment_id,
                    position=position,
                    start_ms=position * 7000,
                    english=_english(rng, english, _length(rng, 16, 3, 60)),
                    original=original,
                    language=language,
                    speaker=who[1],
                )
            )
        channel = rng.choice(channels)
        clips.append(
            ClipDocument(
                clip_id=clip_id,
                number=clip_id,
                status="published" if rng.random() < 0.95 else "draft",
                title=_english(rng, english, rng.randint(5, 10)),
                summary=_english(rng, english, rng.randint(30, 60)),
                channel=channel[0],
                channel_name=channel[1],
                country=channel[2],
                topics=tuple(rng.sample(topics, rng.randint(1, 3))),
                people=tuple(p[0] for p in speakers),
                names=tuple(p[1] for p in speakers),
                aired_on=dt.date.fromordinal(start + rng.randrange(9000)),
                segments=tuple(lines),
            )
        )
    return Corpus(clips, english_words, arabic_words)


def queries(corpus: Corpus, seed: int = SEED) -> list[str]:
    """520 queries: 220 one-word, 180 two-word, 120 phrases; about a tenth Arabic."""
    rng = random.Random(seed + 1)

    def word() -> str:
        # Readers search the middle of the vocabulary more than its head or its tail.
        if rng.random() < 0.1:
            return corpus.arabic_vocab[int(rng.lognormvariate(4, 1.5)) % len(corpus.arabic_vocab)]
        return corpus.english_vocab[int(rng.lognormvariate(5, 1.6)) % len(corpus.english_vocab)]

    found = [word() for _ in range(220)]
    found += [f"{word()} {word()}" for _ in range(180)]
    while len(found) < 520:
        clip = rng.choice(corpus.clips)
        segment = rng.choice(clip.segments)
        text = segment.original if segment.original and rng.random() < 0.1 else segment.english
        words = [w.strip(".,?") for w in text.split()]
        if len(words) >= 2:
            i = rng.randrange(len(words) - 1)
            found.append(f'"{words[i]} {words[i + 1]}"')
    return found


# The two engines ----------------------------------------------------------------------------------


def build_clipdesk(corpus: Corpus, directory: Path) -> tuple[TantivyBackend, float]:
    backend = TantivyBackend(directory, heap_size=400_000_000)
    started = time.perf_counter()
    backend.rebuild(corpus.clips)
    return backend, time.perf_counter() - started


def build_bare(corpus: Corpus, directory: Path) -> tuple[tantivy.Index, float]:
    """Plain tantivy as its documentation sets it up: one English-stemmed field, ids as fast fields."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", tokenizer_name="en_stem")
    builder.add_unsigned_field("clip_id", fast=True, indexed=True)
    builder.add_unsigned_field("segment_id", fast=True)
    schema = builder.build()
    directory.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(directory))
    started = time.perf_counter()
    writer = index.writer(heap_size=400_000_000)
    for clip in corpus.clips:
        about = "\n".join((clip.title, clip.summary, *clip.names))
        for segment in clip.segments:
            doc = tantivy.Document()
            doc.add_text("text", f"{segment.english}\n{segment.original}\n{about}")
            doc.add_unsigned("clip_id", clip.clip_id)
            doc.add_unsigned("segment_id", segment.segment_id)
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - started


def build_fts5(corpus: Corpus, path: Path) -> tuple[sqlite3.Connection, float]:
    """SQLite FTS5 over the same line documents as the bare tantivy peer: Porter stemming, BM25 rank,
    Arabic normalized first (unicode61 alone splits vowelled Arabic and does not fold alef forms)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(
        'CREATE VIRTUAL TABLE lines USING fts5(text, tokenize="porter unicode61 remove_diacritics 2")'
    )
    started = time.perf_counter()
    rows = (
        (segment.segment_id, f"{segment.english}\n{normalize(segment.original)}\n{normalize(clip.about)}")
        for clip in corpus.clips
        for segment in clip.segments
    )
    conn.executemany("INSERT INTO lines(rowid, text) VALUES (?, ?)", rows)
    conn.commit()
    return conn, time.perf_counter() - started


def time_fts5(conn: sqlite3.Connection, query: str) -> float:
    started = time.perf_counter()
    conn.execute(
        "SELECT rowid FROM lines WHERE lines MATCH ? ORDER BY rank LIMIT 20", (normalize(query),)
    ).fetchall()
    return time.perf_counter() - started


def time_clipdesk(backend: TantivyBackend, query: str, facets: bool = False) -> float:
    started = time.perf_counter()
    built, _ = build_query(parse(query))
    hits = backend.search(SearchRequest(built, limit=20, facets=facets))
    [h.clip_id for h in hits.clips]
    return time.perf_counter() - started


def time_bare(index: tantivy.Index, query: str) -> float:
    started = time.perf_counter()
    searcher = index.searcher()
    parsed = index.parse_query(query, ["text"], conjunction_by_default=True)
    result = searcher.search(parsed, 20, count=False)
    addresses = [address for _, address in result.hits]
    searcher.fast_field_values("clip_id", addresses)
    searcher.fast_field_values("segment_id", addresses)
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000}


def measure(name: str, run, query_set: list[str], rounds: int) -> dict[str, float]:
    for q in query_set:  # warm the page cache and the term dictionaries
        run(q)
    samples = [run(q) for _ in range(rounds) for q in query_set]
    figures = percentiles(samples)
    print(
        f"  {name:<24} p50 {figures['p50']:7.2f} ms   p95 {figures['p95']:7.2f} ms   p99 {figures['p99']:7.2f} ms"
    )
    return figures


def normalization_speed(corpus: Corpus) -> float:
    texts = [s.original or s.english for c in corpus.clips[:2000] for s in c.segments]
    size = sum(len(t.encode()) for t in texts)
    started = time.perf_counter()
    for text in texts:
        normalize(text)
    return size / (time.perf_counter() - started) / 1e6


# The page under wrk ----------------------------------------------------------------------------------


def run_wrk(
    corpus: Corpus, query_set: list[str], seconds: int, connections: int, per_request: bool = False
) -> None:
    from urllib.parse import quote

    if not shutil.which("wrk"):
        print(f"wrk is not installed ({serving.INSTALL_WRK}); skipping the page measurement.")
        return
    site = serving.Site(conn_max_age=0 if per_request else None)
    try:
        site.clipdesk("migrate", "--no-input", "-v", "0")
        started = time.perf_counter()
        serving.load_archive(site, corpus.clips)
        print(f"  database loaded in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        site.clipdesk("reindex", "--no-progress")
        print(f"  clipdesk reindex from the database: {time.perf_counter() - started:.0f} s")
        paths = [f"/search/?q={quote(q)}" for q in query_set]
        script = serving.rotation(site, "search", paths)
        with site.serve(workers=2) as base:
            serving.warm(base, [serving.BARE_PATH, *paths[:20]])
            results = {}
            for name, path, rotate in (
                ("bare Django page", serving.BARE_PATH, None),
                ("search page", "/search/", script),
            ):
                load = serving.wrk(base, path, script=rotate, seconds=seconds, connections=connections)
                results[name] = load.requests_per_second
                print(
                    f"  {name:<18} {load.requests_per_second:8.1f} requests/s   p99 {load.p99_ms:7.1f} ms"
                    f"  {load.problems}"
                )
        print(
            f"  ratio (search / bare): {results['search page'] / results['bare Django page']:.2f}  (target >= 0.2)"
        )
    finally:
        site.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=1_000_000, help="corpus size (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=3, help="times each query is timed (default 3)")
    parser.add_argument(
        "--fts5", action="store_true", help="also measure SQLite FTS5 over the same corpus (slow)"
    )
    parser.add_argument(
        "--wrk", action="store_true", help="also measure the search page with wrk under gunicorn"
    )
    parser.add_argument("--wrk-seconds", type=int, default=20, help="length of each wrk run (default 20)")
    parser.add_argument("--wrk-connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument(
        "--connection-per-request",
        action="store_true",
        help="with --wrk: CLIPDESK_DB_CONN_MAX_AGE=0 (a new database connection per request) instead of the default",
    )
    args = parser.parse_args()

    print(f"clipdesk search benchmark: {args.segments:,} segments, {os.cpu_count()} CPUs, seed {SEED}")
    started = time.perf_counter()
    corpus = generate(args.segments)
    query_set = queries(corpus)
    kinds = {
        "1-word": sum(1 for q in query_set if " " not in q),
        "2-word": sum(1 for q in query_set if " " in q and not q.startswith('"')),
        "phrase": sum(1 for q in query_set if q.startswith('"')),
    }
    print(
        f"  corpus: {len(corpus.clips):,} clips, {corpus.segments:,} segments, generated in "
        f"{time.perf_counter() - started:.0f} s; {len(query_set)} queries {kinds}"
    )
    print(f"  normalization: {normalization_speed(corpus):.0f} MB/s on one core")
    work = Path(tempfile.mkdtemp(prefix="clipdesk-bench-"))
    try:
        backend, built = build_clipdesk(corpus, work / "clipdesk")
        print(f"  clipdesk index built in {built:.0f} s")
        bare, built = build_bare(corpus, work / "bare")
        print(f"  bare tantivy index built in {built:.0f} s")
        print(f"top 20, {len(query_set)} queries x {args.rounds} rounds:")
        ours = measure("clipdesk search()", lambda q: time_clipdesk(backend, q), query_set, args.rounds)
        peer = measure("bare tantivy", lambda q: time_bare(bare, q), query_set, args.rounds)
        measure("clipdesk, with facets", lambda q: time_clipdesk(backend, q, facets=True), query_set, 1)
        if args.fts5:
            fts5, built = build_fts5(corpus, work / "fts5.sqlite3")
            print(f"  SQLite FTS5 index built in {built:.0f} s")
            measure("SQLite FTS5 (BM25)", lambda q: time_fts5(fts5, q), query_set, 1)
        print(
            "  ratio clipdesk / bare:  "
            + "   ".join(f"{k} {ours[k] / peer[k]:.2f}x" for k in ("p50", "p95", "p99"))
            + "   (targets: p95 <= 20 ms, <= 1.2x)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.wrk:
        print(
            f"search page, wrk -t2 -c{args.wrk_connections} -d{args.wrk_seconds}s against clipdesk serve "
            f"(2 workers{', a database connection per request' if args.connection_per_request else ''}):"
        )
        run_wrk(corpus, query_set, args.wrk_seconds, args.wrk_connections, args.connection_per_request)


if __name__ == "__main__":
    main()
