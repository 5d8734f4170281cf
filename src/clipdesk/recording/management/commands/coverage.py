import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from clipdesk.recording.coverage import PERIODS, coverage, today
from clipdesk.recording.models import ChannelSource

MARKS = {"full": "#", "partial": "+", "gap": ".", "future": " "}


class Command(BaseCommand):
    help = (
        "What was recorded of a channel and every gap, over a day, a week or a month, in the channel's time "
        "zone: one line a day, one mark an hour (# recorded, + partly, . not at all), then the gaps."
    )

    def add_arguments(self, parser):
        parser.add_argument("channel", metavar="CHANNEL", help="the channel's name or slug")
        parser.add_argument("--period", choices=list(PERIODS), default="day", help="default: day")
        parser.add_argument("--date", help="the first day, YYYY-MM-DD in the channel's zone (default: today)")

    def handle(self, *args, channel, period, date, **options):
        source = (
            ChannelSource.objects.select_related("channel")
            .filter(Q(channel__slug=channel) | Q(channel__name__iexact=channel))
            .first()
        )
        if source is None:
            raise CommandError(f"No channel {channel!r} with a source.")
        try:
            first = dt.date.fromisoformat(date) if date else today(source)
        except ValueError as exc:
            raise CommandError(f"--date is YYYY-MM-DD, not {date!r}.") from exc
        if period != "day" and not date:
            first -= dt.timedelta(days=PERIODS[period] - 1)
        found = coverage(source, first, period)
        write = self.stdout.write
        write(f"{source.channel.name}: {found.start:%Y-%m-%d} to {found.end:%Y-%m-%d} ({source.time_zone})")
        write(
            f"Uptime {found.uptime:.1%}: {found.recorded / 3600:.2f} h recorded of {found.elapsed / 3600:.2f} h"
        )
        write(
            f"Stored: {found.stored_bytes / 2**30:.2f} GiB; now: {'paused' if source.paused else source.status or 'not recorded yet'}"
        )
        write("            " + "".join(str(h // 10) if h % 10 == 0 else " " for h in range(24)))
        for day in found.days:
            write(f"{day.date:%Y-%m-%d}  " + "".join(MARKS[hour.state] for hour in day.hours))
        write(f"{len(found.gaps)} gap{'s' * (len(found.gaps) != 1)}:")
        zone = source.zone
        for gap in found.gaps:
            end = f"{gap.end.astimezone(zone):%Y-%m-%d %H:%M:%S}" if gap.end else "now (open)"
            write(
                f"  {gap.start.astimezone(zone):%Y-%m-%d %H:%M:%S} to {end}  {gap.seconds:.0f} s  {gap.reason}: {gap.detail}"
            )
