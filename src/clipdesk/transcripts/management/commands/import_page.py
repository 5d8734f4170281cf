from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clipdesk.transcripts.archivefiles import decode
from clipdesk.transcripts.importing import ImportRefused, import_page
from clipdesk.transcripts.pagehtml import looks_like_html, read_html
from clipdesk.transcripts.pagetext import PageParseError


class Command(BaseCommand):
    help = "Import the text of published clip pages as clips. Each page is one transaction: a page with an error saves nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="a clip page: its text (UTF-8), or its HTML as saved"
        )

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            path = Path(name)
            is_html = path.suffix.lower() in (".html", ".htm")
            try:
                data = path.read_bytes()
                # Saved HTML of older sites is often Windows-1252; a text file must be UTF-8.
                text = decode(data) if is_html else data.decode("utf-8")
            except FileNotFoundError:
                self.stderr.write(f"{name}: error: no such file")
                failed += 1
                continue
            except UnicodeDecodeError as exc:
                self.stderr.write(f"{name}: error: not UTF-8 text (byte {exc.start})")
                failed += 1
                continue
            address = None
            if is_html or looks_like_html(text):
                html = read_html(text)
                text, address = html.text, html.address
            try:
                result = import_page(text, source=name, address=address)
            except (PageParseError, ImportRefused) as exc:
                self.stderr.write(f"{exc.source}:{exc.line}: error: {exc.reason}")
                failed += 1
                continue
            for warning in result.warnings:
                self.stderr.write(f"{name}:{warning.line}: warning: {warning.message}")
            clip = result.clip
            verb = "imported" if result.created else f"updated ({result.changed_lines} lines changed)"
            self.stdout.write(
                f"{name}: {verb} {clip.reference} [{clip.get_status_display()}] {clip.title[:70]} "
                f"- {clip.segments.count()} lines, {len(result.warnings)} warnings"
            )
        if failed:
            raise CommandError(
                f"{failed} of {len(files)} pages could not be imported; nothing of them was saved."
            )
