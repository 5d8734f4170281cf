from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clipdesk.archive.actions import withdraw_clip
from clipdesk.archive.models import Clip


class Command(BaseCommand):
    help = (
        "Withdraw a published clip. Its address then answers 410 with the reason; its number is never reused."
    )

    def add_arguments(self, parser):
        parser.add_argument("clip", metavar="CLIP", help="public number, or id:N")
        parser.add_argument("--reason", required=True, help="shown to readers")

    def handle(self, *args, clip, reason, **options):
        try:
            withdrawn = withdraw_clip(Clip.objects.get_by_reference(clip), user=None, reason=reason)
        except (Clip.DoesNotExist, ValidationError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"Withdrew {withdrawn.reference}.")
