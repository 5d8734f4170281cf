from django.core.management.base import BaseCommand, CommandError

from clipdesk.operations.repair import load_repairer, repairer_name, repairer_paths


class Command(BaseCommand):
    help = (
        "Re-enqueue unfinished jobs and rebuild derived data (the search index, the cache table), through "
        "the repairers the installed apps register. Safe to run again, and while the site runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be repaired, change nothing"
        )
        parser.add_argument(
            "--only", action="append", metavar="NAME", help="run only this repairer (repeatable); see --list"
        )
        parser.add_argument(
            "--list", action="store_true", dest="list_repairers", help="list the repairers and exit"
        )

    def handle(self, *args, dry_run, only, list_repairers, **options):
        registered = [(repairer_name(path), path) for path in repairer_paths()]
        if list_repairers:
            for name, path in registered:
                self.stdout.write(f"{name}  ({path})")
            return
        if only:
            unknown = sorted(set(only) - {name for name, _ in registered})
            if unknown:
                known = ", ".join(name for name, _ in registered) or "none"
                raise CommandError(f"No repairer called {', '.join(unknown)}; the repairers are: {known}.")
            registered = [(name, path) for name, path in registered if name in only]
        failed = 0
        for name, path in registered:
            try:
                result = load_repairer(path)(dry_run=dry_run)
            except Exception as exc:  # one repairer's failure must not keep the others from running
                failed += 1
                self.stderr.write(f"{name}: failed: {type(exc).__name__}: {exc}")
                continue
            self.stdout.write(f"{name}: {result.summary}")
        if failed:
            raise CommandError(f"{failed} of {len(registered)} repairers failed.")
