from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clipdesk.recording import actions
from clipdesk.recording.models import ChannelSource


def _source(name: str) -> ChannelSource:
    source = (
        ChannelSource.objects.select_related("channel").filter(channel__name__iexact=name.strip()).first()
    )
    source = (
        source or ChannelSource.objects.select_related("channel").filter(channel__slug=name.strip()).first()
    )
    if source is None:
        raise CommandError(f"No channel {name!r} with a source; add one with: clipdesk channel add NAME URL")
    return source


class Command(BaseCommand):
    help = (
        "Give channels the source they are recorded from (an HLS playlist, MPEG-TS over HTTP or UDP, or a "
        "watched folder), change it, pause or resume its recording, or list them."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        add = sub.add_parser("add", help="a channel (created if new) and its source")
        add.add_argument("name", metavar="NAME")
        add.add_argument(
            "url", metavar="URL", help="http(s)://…m3u8, http(s)://… (MPEG-TS), udp://host:port, or /a/folder"
        )
        self._common(add)
        change = sub.add_parser("set", help="change a channel's source")
        change.add_argument("name", metavar="NAME")
        change.add_argument("--url")
        self._common(change)
        for verb in ("pause", "resume"):
            sub.add_parser(verb, help=f"{verb} a channel's recording").add_argument("name", metavar="NAME")
        sub.add_parser("list", help="every channel with a source, its state and its recorder")

    @staticmethod
    def _common(parser):
        parser.add_argument(
            "--kind", choices=ChannelSource.Kind.values, help="guessed from the URL when left out"
        )
        parser.add_argument("--time-zone", help="the channel's time zone, e.g. Asia/Beirut (default UTC)")
        parser.add_argument("--paused", action="store_true", help="keep it, but do not record it yet")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def do_add(self, *, name, url, kind, time_zone, paused, **_):
        source = actions.add_source(
            user=None, channel=name, url=url, kind=kind or "", time_zone=time_zone or "UTC", paused=paused
        )
        self.stdout.write(f"{source.channel.name}: {source.kind} {source.url}{' (paused)' if paused else ''}")

    def do_set(self, *, name, url, kind, time_zone, paused, **_):
        fields = {"url": url, "kind": kind, "time_zone": time_zone}
        fields = {key: value for key, value in fields.items() if value}
        if paused:
            fields["paused"] = True
        source = actions.change_source(_source(name), user=None, **fields)
        self.stdout.write(f"{source.channel.name}: {source.kind} {source.url}, {source.time_zone}")

    def do_pause(self, *, name, **_):
        source = actions.change_source(_source(name), user=None, paused=True)
        self.stdout.write(f"{source.channel.name}: paused")

    def do_resume(self, *, name, **_):
        source = actions.change_source(_source(name), user=None, paused=False)
        self.stdout.write(f"{source.channel.name}: recording resumes")

    def do_list(self, **_):
        sources = ChannelSource.objects.select_related("channel", "lease")
        if not sources:
            self.stdout.write("No channel has a source yet: clipdesk channel add NAME URL")
        for source in sources:
            state = "paused" if source.paused else (source.status or "not recorded yet")
            holder = getattr(getattr(source, "lease", None), "holder", "") or "nobody"
            self.stdout.write(f"{source.channel.slug}\t{source.kind}\t{source.url}\t{state}\t{holder}")
