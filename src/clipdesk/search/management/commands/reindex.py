from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from clipdesk.search import actions
from clipdesk.search.services import backend_path


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database: every clip that is not withdrawn. "
        "Searches keep answering from the old index until the new one is complete."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="print no progress bar (for scripts)")

    def handle(self, *args, no_progress, **options):
        total = actions.clips_to_index()
        engine = backend_path().rsplit(".", 1)[-1]
        if no_progress:
            count = actions.rebuild_index()
        else:
            columns = (TextColumn("Indexing clips"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
                task = progress.add_task("index", total=total)
                count = actions.rebuild_index(lambda n: progress.update(task, completed=n))
        self.stdout.write(f"Indexed {count} clip{'s' if count != 1 else ''} ({engine}).")
