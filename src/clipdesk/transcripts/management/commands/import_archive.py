import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from clipdesk.transcripts.archiveimport import import_archive


class Command(BaseCommand):
    help = (
        "Import a saved archive of clip pages (a folder or a .zip of .html and .txt files), one "
        "transaction per page, and write an import report (HTML and CSV). Resumes after a crash."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="DIR|FILE.zip", help="a folder or .zip of saved pages")
        parser.add_argument(
            "--report",
            metavar="DIR",
            help="where to write import-report.html, import-report.csv and the journal "
            "(default: ARCHIVE.import-report beside the archive)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            metavar="N",
            help="processes reading the pages (default: the number of CPUs, at most 4; 1 reads in-process)",
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="forget the journal of an earlier run and look at every page again",
        )

    def handle(self, *args, archive, report, jobs, restart, **options):
        path = Path(archive)
        if not path.exists():
            raise CommandError(f"{archive}: no such file or folder")
        report_dir = Path(report) if report else path.parent / f"{path.name}.import-report"
        console = Console(file=sys.stderr)
        with Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task("import", total=None)
            try:
                result = import_archive(
                    path,
                    report_dir=report_dir,
                    workers=jobs,
                    restart=restart,
                    started=lambda total: progress.update(task, total=total),
                    advance=lambda row: progress.advance(task),
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        counts = ", ".join(
            f"{result.count(name)} {name}"
            for name in ("imported", "updated", "unchanged", "refused", "failed")
        )
        resumed = sum(1 for row in result.rows if row.resumed)
        self.stdout.write(
            f"{len(result.rows)} pages: {counts}; {result.needs_review} need review"
            + (f"; {resumed} done in an earlier run" if resumed else "")
        )
        self.stdout.write(f"report: {result.html_path} and {result.csv_path}")
