import signal
import threading

from django.core.management.base import BaseCommand

from clipdesk.recording.recorder import Options, Recorder


class Command(BaseCommand):
    help = (
        "Record every active channel this recorder can hold, into short MPEG-TS segments in the media "
        "storage. Run any number of recorders, on any machines: they share the channels through leases."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--name", help="this recorder's name in leases and logs (default host:pid:random)"
        )
        parser.add_argument(
            "--max-channels", type=int, help="hold at most this many channels (default: no limit)"
        )
        parser.add_argument(
            "--segment-seconds", type=float, help="segment length (CLIPDESK_RECORDING_SEGMENT_SECONDS)"
        )
        parser.add_argument(
            "--stall-seconds",
            type=float,
            help="silence that counts as a stall (CLIPDESK_RECORDING_STALL_SECONDS)",
        )
        parser.add_argument(
            "--lease-seconds", type=float, help="lease time (CLIPDESK_RECORDING_LEASE_SECONDS)"
        )

    def handle(self, *args, name, max_channels, segment_seconds, stall_seconds, lease_seconds, **options):
        opts = Options.from_settings(
            max_channels=max_channels,
            segment_seconds=segment_seconds,
            stall_seconds=stall_seconds,
            lease_seconds=lease_seconds,
        )
        recorder = Recorder(opts, name=name)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"Recorder {recorder.name}: recording (Ctrl+C stops it)")
        self.stdout.flush()
        recorder.run(stop)
        self.stdout.write(f"Recorder {recorder.name}: stopped")
