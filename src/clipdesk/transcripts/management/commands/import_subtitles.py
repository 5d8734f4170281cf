from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clipdesk.archive.models import Clip
from clipdesk.transcripts.subtitle_import import import_subtitles
from clipdesk.transcripts.subtitles import SubtitleError


class Command(BaseCommand):
    help = (
        "Import an SRT or WebVTT file into a clip's transcript. Each cue goes to the line it overlaps most "
        "in time; an untimed clip is matched by order when the counts are equal."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="an .srt or .vtt file (read by its content)")
        parser.add_argument("--clip", required=True, help="public number, or id:N")
        parser.add_argument(
            "--language", required=True, help="BCP 47 code of the file's language, e.g. en or ar"
        )

    def handle(self, *args, file, clip, language, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            result = import_subtitles(
                Clip.objects.get_by_reference(clip), data, user=None, language=language, filename=path.name
            )
        except (Clip.DoesNotExist, SubtitleError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        except ValidationError as exc:
            raise CommandError(f"{file}: {'; '.join(exc.messages)}") from exc
        for warning in result.warnings:
            self.stderr.write(f"{file}: warning: {warning}")
        self.stdout.write(f"{file}: {result.summary}")
