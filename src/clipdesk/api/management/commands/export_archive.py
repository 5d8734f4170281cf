import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from clipdesk.api import exports


class _Unterminated:
    """Django's stdout wrapper ends every write with a newline; the writers bring their own."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")


class Command(BaseCommand):
    help = (
        "Export every published clip: JSON Lines (one clip document per line, as /api/clips/<number> "
        "gives it) or CSV (one row per line of transcript). A progress bar goes to standard error."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=exports.FORMATS, default="jsonl", help="jsonl or csv (default jsonl)"
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="write to FILE, replaced only once the export is complete (default: standard output)",
        )

    def handle(self, *args, format, output, verbosity, **options):
        clips = exports.published_clips()
        total = clips.count()
        progress = Progress(
            TextColumn("exporting clips"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            disable=verbosity == 0,
        )
        if output:
            target = Path(output)
            partial = target.with_name(target.name + ".partial")
            try:
                with open(partial, "w", encoding="utf-8", newline="") as handle:
                    self._export(clips, total, exports.WRITERS[format](handle), progress)
                os.replace(partial, target)
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from exc
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        else:
            self._export(clips, total, exports.WRITERS[format](_Unterminated(self.stdout)), progress)
        if verbosity:
            where = output or "standard output"
            self.stderr.write(f"Exported {total} published clip{'s' if total != 1 else ''} to {where}.")

    def _export(self, clips, total, writer, progress) -> None:
        with progress:
            bar = progress.add_task("export", total=total)
            for document in exports.documents(clips):
                writer.write(document)
                progress.advance(bar)
