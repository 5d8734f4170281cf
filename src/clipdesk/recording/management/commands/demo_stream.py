from django.core.management.base import BaseCommand

from clipdesk.recording import actions
from clipdesk.recording.livestream import serve_forever
from clipdesk.recording.models import ChannelSource

DEMO_CHANNEL = "Demo TV"


class Command(BaseCommand):
    help = (
        "Play the repository's speech samples as a live HLS stream on loopback (looping, with a picture), "
        "and give the channel 'Demo TV' that stream as its source, so `clipdesk recorder` records it: "
        "what `make demo` runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=8900, help="the loopback port to serve on (default 8900)"
        )
        parser.add_argument("--segment-seconds", type=float, default=6.0, help="the stream's segment length")

    def handle(self, *args, port, segment_seconds, **options):
        url = f"http://127.0.0.1:{port}/live/index.m3u8"
        source = ChannelSource.objects.filter(channel__name=DEMO_CHANNEL).first()
        if source is None:
            actions.add_source(user=None, channel=DEMO_CHANNEL, url=url)
        elif source.url != url:
            actions.change_source(source, user=None, url=url)
        self.stdout.write(
            f"{DEMO_CHANNEL} is recorded from {url}; its timeline is at /staff/channels/demo-tv/timeline/"
        )
        self.stdout.flush()
        serve_forever(port, segment_seconds)
