import json

from django.core.management.base import BaseCommand, CommandError

from clipdesk.archive.models import Clip
from clipdesk.transcripts import export


class Command(BaseCommand):
    help = "Write a clip's transcript to standard output as WebVTT, SRT, plain text or JSON."

    def add_arguments(self, parser):
        parser.add_argument("clip", metavar="CLIP", help="public number, or id:N")
        parser.add_argument(
            "--format", choices=export.FORMATS, default="txt", help="vtt, srt, txt or json (default txt)"
        )
        parser.add_argument(
            "--language", default="en", help="BCP 47 code of the captions' language (vtt and srt; default en)"
        )

    def handle(self, *args, clip, format, language, **options):
        try:
            found = Clip.objects.get_by_reference(clip)
            if format == "vtt":
                body = export.to_vtt(found, language)
            elif format == "srt":
                body = export.to_subrip(found, language)
            elif format == "json":
                body = json.dumps(export.clip_document(found), ensure_ascii=False, indent=1) + "\n"
            else:
                body = export.to_text(found)
        except (Clip.DoesNotExist, export.ExportError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(body, ending="")
