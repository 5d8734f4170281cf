import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from clipdesk.alerts import livesearch
from clipdesk.alerts.models import LiveLine


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Index the live lines of the recordings again, from the database, for the search of the "
        "recordings (the embedded engine; on PostgreSQL the database indexes them itself)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", metavar="YYYY-MM-DD", help="first day (UTC); default: the oldest line's"
        )
        parser.add_argument("--until", metavar="YYYY-MM-DD", help="last day (UTC); default: today")
        parser.add_argument("--no-progress", action="store_true", help="print no progress (for scripts)")

    def handle(self, *args, since, until, no_progress, **options):
        engine = livesearch.backend_path().rsplit(".", 1)[-1]
        if livesearch.backend_path() == livesearch.POSTGRES:
            self.stdout.write(f"Nothing to do: {engine} searches the live lines' table itself.")
            return
        oldest = LiveLine.objects.order_by("day").values_list("day", flat=True).first()
        first = _date(since) if since else oldest
        last = _date(until) if until else dt.datetime.now(dt.UTC).date()
        if first is None:
            self.stdout.write("No live line is stored yet.")
            return
        if last < first:
            raise CommandError("--until is before --since.")
        if no_progress:
            count = livesearch.rebuild(first, last)
        else:
            columns = (SpinnerColumn(), TextColumn("Indexing live lines: {task.completed}"))
            with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
                task = progress.add_task("index", total=None)
                count = livesearch.rebuild(first, last, progress=lambda n: progress.update(task, completed=n))
        self.stdout.write(
            f"Indexed {count} live line{'s' if count != 1 else ''} of {first} to {last} ({engine})."
        )
