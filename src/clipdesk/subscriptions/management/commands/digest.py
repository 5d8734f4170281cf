import sys

from django.core.management.base import BaseCommand, CommandError

from clipdesk.subscriptions import actions
from clipdesk.subscriptions.models import Subscriber


class Command(BaseCommand):
    help = (
        "Write and send the daily or weekly digests now, as the schedule does. Each subscriber gets the "
        "clips published since their last digest, once; running it again sends only what is new since."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, choices=["daily", "weekly"], help="which subscribers")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be sent; write and send nothing"
        )
        parser.add_argument(
            "--to", metavar="ADDRESS", help="only the digest of the subscriber with this address"
        )

    def handle(self, *args, period, dry_run, to, **options):
        if to and not Subscriber.objects.due(period).with_address(to).exists():
            raise CommandError(f"No subscriber with the address {to} is due a {period} digest.")
        if sys.stderr.isatty():
            report = self._run_with_progress_bar(period, dry_run, to)
        else:
            report = actions.send_digests(period, dry_run=dry_run, only_email=to)
        self._print(report)

    def _run_with_progress_bar(self, period, dry_run, to):
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(file=sys.stderr), transient=True) as progress:
            bar = progress.add_task(f"{period} digests", total=None)
            return actions.send_digests(
                period,
                dry_run=dry_run,
                only_email=to,
                progress=lambda done, total: progress.update(bar, completed=done, total=total),
            )

    def _print(self, report) -> None:
        write = self.stdout.write
        if report.dry_run:
            for address, clips in report.planned:
                write(f"would send {clips} clip{'s' if clips != 1 else ''} to {address}")
        verb = "would be written" if report.dry_run else "written"
        write(
            f"{report.period} digests: {report.subscribers} subscriber(s) due, {report.written} digest(s) "
            f"{verb} ({report.clips} clips), {report.nothing_new} with nothing new, "
            f"{report.waiting} waiting for an earlier digest to go out"
        )
        if report.dry_run:
            write("Dry run: nothing was written or sent.")
            return
        mail = report.delivery
        write(f"mail: {mail.sent} sent, {mail.deferred} deferred, {mail.rejected} rejected, {mail.held} held")
        if mail.unreachable:
            raise CommandError(
                f"The mail server is unavailable ({mail.unreachable}). {mail.held} message(s) stay in the "
                "outbox; the worker sends them when the server is back."
            )
