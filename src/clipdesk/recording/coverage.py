"""What was recorded of a channel and what was not, over a day, a week or a month, in its time zone.

Hours are the channel's local hours (a day of a clock change has 23 or 25); recorded time is summed
per hour in the database, by segment start, so a month of six-second segments is one query of at
most 744 rows. Gaps are listed whole, each with its reason.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from .models import ChannelSource, Gap, Segment

PERIODS = {"day": 1, "week": 7, "month": 30}


@dataclass
class Hour:
    start: dt.datetime  # local
    end: dt.datetime
    recorded: float = 0.0  # seconds
    gaps: list[Gap] = field(default_factory=list)
    future: bool = False

    @property
    def ratio(self) -> float:
        return min(1.0, self.recorded / max(1.0, (self.end - self.start).total_seconds()))

    @property
    def state(self) -> str:
        """full, partial, gap (nothing recorded), or future."""
        if self.future:
            return "future"
        if self.ratio >= 0.98 and not any(
            g.reason not in {Gap.Reason.PAUSED} and g.seconds > 1 for g in self.gaps
        ):
            return "full"
        return "partial" if self.recorded > 0 else "gap"

    @property
    def label(self) -> str:
        reasons = ", ".join(sorted({g.get_reason_display() for g in self.gaps}))
        return f"{self.start:%H:00}: {self.ratio:.0%} recorded" + (f"; {reasons}" if reasons else "")


@dataclass
class Day:
    date: dt.date
    hours: list[Hour]


@dataclass
class Coverage:
    source: ChannelSource
    start: dt.datetime  # local midnight
    end: dt.datetime
    days: list[Day]
    gaps: list[Gap]
    recorded: float  # seconds
    elapsed: float  # seconds of the period up to now
    stored_bytes: int

    @property
    def uptime(self) -> float:
        return min(1.0, self.recorded / self.elapsed) if self.elapsed > 0 else 0.0

    @property
    def uptime_percent(self) -> float:
        return 100 * self.uptime


def coverage(source: ChannelSource, first: dt.date, period: str = "day") -> Coverage:
    zone = source.zone
    days = PERIODS[period]
    start = dt.datetime.combine(first, dt.time(), zone)
    end = dt.datetime.combine(first + dt.timedelta(days=days), dt.time(), zone)
    now = timezone.now()
    per_hour = {
        row["hour"].astimezone(dt.UTC): (row["ms"] or 0) / 1000
        for row in Segment.objects.filter(source=source, start__gte=start, start__lt=end)
        .annotate(hour=TruncHour("start", tzinfo=dt.UTC))
        .values("hour")
        .annotate(ms=Sum("duration_ms"))
    }
    gaps = list(Gap.objects.filter(source=source, start__lt=end).exclude(end__lt=start).order_by("start"))
    result = []
    for offset in range(days):
        date = first + dt.timedelta(days=offset)
        hour_utc = dt.datetime.combine(date, dt.time(), zone).astimezone(dt.UTC)
        day_end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
        hours = []
        while hour_utc < day_end:
            following = hour_utc + dt.timedelta(hours=1)
            hour = Hour(hour_utc.astimezone(zone), following.astimezone(zone), per_hour.get(hour_utc, 0.0))
            hour.gaps = [g for g in gaps if g.start < following and (g.end or now) > hour_utc]
            hour.future = hour_utc >= now
            hours.append(hour)
            hour_utc = following
        result.append(Day(date, hours))
    elapsed = max(0.0, (min(end, now) - max(start, source.created_at)).total_seconds())
    stored = Segment.objects.filter(source=source).aggregate(total=Sum("size"))["total"] or 0
    return Coverage(source, start, end, result, gaps, sum(per_hour.values()), elapsed, stored)


def today(source: ChannelSource) -> dt.date:
    return timezone.now().astimezone(source.zone).date()
