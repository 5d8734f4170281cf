import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from clipdesk.alerts import live
from clipdesk.recording.models import ChannelSource


class Command(BaseCommand):
    help = (
        "Transcribe the recorded channels' new air now, in this process, as the workers' live jobs do: "
        "round after round until no window is due, then (without --once) wait for more. Safe beside "
        "running workers: each channel is claimed by one job at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--channel", metavar="SLUG", help="only this channel (its slug)")
        parser.add_argument(
            "--once",
            action="store_true",
            help="transcribe what is due, including a channel's last air short of a window, then exit",
        )
        parser.add_argument(
            "--interval", type=float, default=5.0, help="seconds between looks for new air (default 5)"
        )

    def handle(self, *args, channel, once, interval, **options):
        source_ids = None
        if channel:
            source = ChannelSource.objects.filter(channel__slug=channel).first()
            if source is None:
                known = ", ".join(ChannelSource.objects.values_list("channel__slug", flat=True)) or "none"
                raise CommandError(
                    f"No recorded channel has the slug {channel!r} (recorded channels: {known})."
                )
            source_ids = [source.pk]

        def report(done: live.Round) -> None:
            self.stdout.write(
                f"{done.windows} window(s), {done.air_seconds:.0f} s of air, {done.lines} line(s)"
                + (f", {done.failed} failed" if done.failed else "")
            )
            self.stdout.flush()

        if once:
            total = live.work(source_ids=source_ids, force=True, report=report)
            self.stdout.write(f"Done: {total.windows} window(s), {total.lines} line(s).")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("Transcribing live (Ctrl+C stops)")
        self.stdout.flush()
        while not stop.is_set():
            live.work(source_ids=source_ids, report=report)
            stop.wait(interval)
        self.stdout.write("Stopped")
