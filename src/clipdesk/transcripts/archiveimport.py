"""Importing a whole saved archive: `clipdesk import-archive DIR|FILE.zip`.

Files are read (HTML parsed) in worker processes; pages are parsed and written here, one
transaction each, in the archive's order. After each page a line goes to the journal
(`journal.jsonl` in the report folder), so a run that crashed or was stopped resumes where it
was: a page whose bytes are unchanged since its journal line is not imported again. Importing is
idempotent anyway (see importing.page_key); the journal only saves the time. At the end the
import report is written, as HTML and CSV: per page the result, the warnings, and what an editor
must check.
"""

import csv
import json
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from .archivefiles import PageJob, SourceFile, list_pages, pair, read_file, read_files
from .importing import ImportRefused, Lookups, import_parsed
from .pagetext import PageParseError, parse_page

log = logging.getLogger(__name__)

CHUNK = 32  # files a reader process reads per task
JOURNAL = "journal.jsonl"
CSV_NAME = "import-report.csv"
HTML_NAME = "import-report.html"
CSV_COLUMNS = ["file", "result", "clip", "status", "title", "lines", "warnings", "needs_review"]


@dataclass
class ReportRow:
    file: str
    result: str  # imported, updated, unchanged, refused, failed
    digest: str = ""
    clip: str = ""  # '#8891' or 'id:12'
    status: str = ""
    title: str = ""
    lines: int = 0
    warnings: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    resumed: bool = False


@dataclass
class ArchiveReport:
    rows: list[ReportRow]
    csv_path: Path
    html_path: Path

    def count(self, result: str) -> int:
        return sum(1 for row in self.rows if row.result == result)

    @property
    def needs_review(self) -> int:
        return sum(1 for row in self.rows if row.review)


def _reader(root: Path, names: list[str], workers: int) -> Iterator[SourceFile]:
    if workers <= 1:
        yield from (read_file(root, name) for name in names)
        return
    # forkserver: the workers start clean, without this process's database connection or threads.
    # At most a few chunks are read ahead of the writer, so memory stays flat however large the
    # archive (Executor.map would read everything ahead while the writer lags).
    context = multiprocessing.get_context("forkserver")
    chunks = (names[i : i + CHUNK] for i in range(0, len(names), CHUNK))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending = deque(pool.submit(read_files, root, chunk) for chunk in islice(chunks, 2 * workers))
        while pending:
            done = pending.popleft().result()
            pending.extend(pool.submit(read_files, root, chunk) for chunk in islice(chunks, 1))
            yield from done


def _load_journal(path: Path) -> dict[str, ReportRow]:
    done: dict[str, ReportRow] = {}
    if not path.exists():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = ReportRow(**json.loads(line))
        except (ValueError, TypeError):
            continue  # a line cut short by the crash
        if row.result not in ("failed",):
            done[f"{row.file}\x00{row.digest}"] = row
    return done


def _import_job(job: PageJob, user, lookups: Lookups) -> ReportRow:
    source = " + ".join(job.files)
    if job.error:
        return ReportRow(source, "refused", job.digest, warnings=[job.error])
    try:
        page = parse_page(job.text, job.name)
        result = import_parsed(page, source=job.name, user=user, address=job.address, lookups=lookups)
    except (PageParseError, ImportRefused) as exc:
        return ReportRow(source, "refused", job.digest, warnings=[f"line {exc.line}: {exc.reason}"])
    except Exception as exc:  # one page's unexpected failure must not stop the archive
        log.exception("importing %s failed", source)
        return ReportRow(source, "failed", job.digest, warnings=[f"unexpected error: {exc!r}"])
    clip = result.clip
    outcome = "imported" if result.created else ("updated" if result.changed_lines else "unchanged")
    notes = [f"line 1: {note}" for note in job.notes]
    return ReportRow(
        source,
        outcome,
        job.digest,
        clip=clip.reference,
        status=clip.get_status_display(),
        title=clip.title,
        lines=len(page.lines),
        warnings=[*notes, *(str(w) for w in result.warnings)],
        review=[*notes, *(str(w) for w in result.review)],
    )


def import_archive(
    path: Path,
    *,
    report_dir: Path,
    user=None,
    workers: int | None = None,
    restart: bool = False,
    started: Callable[[int], None] = lambda total: None,
    advance: Callable[[ReportRow], None] = lambda row: None,
) -> ArchiveReport:
    names = list_pages(path)
    started(len(names))
    report_dir.mkdir(parents=True, exist_ok=True)
    journal_path = report_dir / JOURNAL
    if restart:
        journal_path.unlink(missing_ok=True)
    done = _load_journal(journal_path)
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    rows: list[ReportRow] = []
    lookups = Lookups()
    with journal_path.open("a", encoding="utf-8") as journal:
        for job in pair(_reader(path, names, workers), names):
            previous = done.get(f"{' + '.join(job.files)}\x00{job.digest}")
            if previous is not None:
                row = ReportRow(**{**asdict(previous), "resumed": True})
            else:
                row = _import_job(job, user, lookups)
                journal.write(json.dumps(asdict(row)) + "\n")
                journal.flush()
            rows.append(row)
            for _ in job.files:
                advance(row)
    return write_report(rows, report_dir, source=str(path))


def write_report(rows: list[ReportRow], report_dir: Path, *, source: str) -> ArchiveReport:
    # Pages an editor must look at first, then refusals, then the rest, each in archive order.
    order = sorted(rows, key=lambda r: (not r.review and r.result not in ("refused", "failed"), r.file))
    csv_path, html_path = report_dir / CSV_NAME, report_dir / HTML_NAME
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for row in order:
            writer.writerow(
                [
                    row.file,
                    row.result,
                    row.clip,
                    row.status,
                    row.title,
                    row.lines,
                    "\n".join(row.warnings),
                    "\n".join(row.review),
                ]
            )
    report = ArchiveReport(rows, csv_path, html_path)
    html = render_to_string(
        "transcripts/import_report.html",
        {
            "rows": order,
            "source": source,
            "generated": timezone.now(),
            "counts": {
                name: report.count(name) for name in ("imported", "updated", "unchanged", "refused", "failed")
            },
            "needs_review": report.needs_review,
            "total": len(rows),
        },
    )
    html_path.write_text(html, encoding="utf-8")
    return report
