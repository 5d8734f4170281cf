"""`clipdesk stats`: how much of the machine drafts people changed, per channel and month of publication."""

import json

from django.core.management.base import BaseCommand, CommandError

from clipdesk.archive.models import Channel
from clipdesk.transcripts import quality


def _percent(score: quality.Score) -> str:
    return "—" if score.rate is None else f"{score.rate:.1%}"


class Command(BaseCommand):
    help = (
        "Draft quality of published clips: the word error rate of each machine draft against the published "
        "text, per language, by channel and month. Clips without a machine draft are counted apart."
    )

    def add_arguments(self, parser):
        parser.add_argument("--channel", metavar="SLUG", help="only this channel's clips")
        parser.add_argument("--json", action="store_true", help="one JSON object per channel and month")

    def handle(self, *args, channel=None, json=False, **options):
        clips = quality.published_clips()
        if channel:
            if not Channel.objects.filter(slug=channel).exists():
                raise CommandError(f"No channel {channel!r}; channels are named by their slug.")
            clips = clips.filter(channel__slug=channel)
        periods = quality.by_channel_and_month(quality.measure(clips))
        if json:
            for period in periods:
                self.stdout.write(_json_line(period))
            return
        if not periods:
            self.stdout.write("No published clips.")
            return
        for period in periods:
            without = period.clips - period.with_draft
            self.stdout.write(
                f"{period.channel}  {period.month}  {period.clips} clip{'s' if period.clips != 1 else ''}, "
                f"{period.with_draft} from a machine draft, {without} without one (imported or typed)"
            )
            for kind, score in sorted(period.scores.items()):
                self.stdout.write(
                    f"    {quality.kind_label(kind)}: {_percent(score)} of {score.words} published words changed"
                )


def _json_line(period: quality.Period) -> str:
    return json.dumps(
        {
            "channel": period.channel,
            "month": period.month,
            "clips": period.clips,
            "with_machine_draft": period.with_draft,
            "word_error_rate": {
                f"{what}:{language}": {"words": s.words, "errors": s.errors, "rate": s.rate}
                for (what, language), s in sorted(period.scores.items())
            },
        },
        ensure_ascii=False,
    )
