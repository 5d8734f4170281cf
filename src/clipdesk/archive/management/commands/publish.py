from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clipdesk.archive.actions import publish_clip
from clipdesk.archive.models import Clip


class Command(BaseCommand):
    help = "Publish a draft or reviewed clip, giving it the next public number (or --number)."

    def add_arguments(self, parser):
        parser.add_argument("clip", metavar="CLIP", help="public number, or id:N for an unpublished clip")
        parser.add_argument("--number", type=int, help="keep this public number (it must be free)")

    def handle(self, *args, clip, number, **options):
        try:
            published = publish_clip(Clip.objects.get_by_reference(clip), user=None, number=number)
        except (Clip.DoesNotExist, ValidationError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"Published {published.reference}: {published.get_absolute_url()}")
