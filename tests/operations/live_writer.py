"""A writer for the backup tests: keeps changing an instance through the real actions until told to stop.

Run as a separate process against the instance named by CLIPDESK_VAR_DIR (and DATABASE_URL):

    python live_writer.py WORK_DIR

Each round (one transaction) creates a clip, a speaker and three timed lines from subtitles (each a history entry),
fills in their English, edits a line of the previous round's clip, and every third round attaches
a real video. After each round it writes the number of finished rounds to WORK_DIR/rounds; it stops
after the round during which WORK_DIR/stop appears.
"""

import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def subtitles(round_no: int, language: str) -> str:
    cues = []
    for i in range(3):
        text = f"line {i} of round {round_no}" if language == "en" else f"سطر {i} من الجولة {round_no}"
        cues.append(f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},900\n{text}\n")
    return "\n".join(cues)


def main(work: Path) -> None:
    sys.path.insert(0, str(TESTS))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")
    import django

    django.setup()
    from django.db.backends.signals import connection_created

    def keep_writes_in_the_wal(sender, connection, **kwargs):
        # As on a busy site between checkpoints, recent commits stay in the -wal file: a backup that
        # copied only the main database file would miss them.
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA wal_autocheckpoint=0")

    connection_created.connect(keep_writes_in_the_wal)
    from django.db import transaction

    from clipdesk.archive.actions import create_clip, get_or_create_channel
    from clipdesk.media.actions import attach_media
    from clipdesk.transcripts.actions import add_speaker, edit_segment
    from clipdesk.transcripts.models import Segment
    from clipdesk.transcripts.subtitle_import import import_subtitles
    from factories.media import make_video

    videos = [make_video(work / f"video{n}.mp4", seconds=1.0 + n) for n in range(2)]
    channel = get_or_create_channel(user=None, name="Live Test TV", country="Lebanon", language="ar")
    previous = None
    round_no = 0
    while True:
        stopping = (work / "stop").exists()  # finish the round in which the stop was asked for
        # A round commits as a whole, so the test can tell exactly which rounds a snapshot holds.
        with transaction.atomic():
            clip = create_clip(user=None, title=f"Live clip {round_no}", channel=channel, duration_ms=3000)
            add_speaker(clip, user=None, label="Host")
            import_subtitles(clip, subtitles(round_no, "ar"), user=None, language="ar")
            import_subtitles(clip, subtitles(round_no, "en"), user=None, language="en")
            if previous is not None:
                line = Segment.objects.filter(clip=previous).order_by("position").first()
                edit_segment(
                    line.pk, user=None, version=line.version, english_text=f"edited in round {round_no}"
                )
            if round_no % 3 == 0:
                attach_media(clip, videos[round_no % 2], user=None, source=f"live round {round_no}")
        previous = clip
        round_no += 1
        counter = work / "rounds.partial"
        counter.write_text(str(round_no))
        counter.replace(work / "rounds")
        if stopping:
            return


if __name__ == "__main__":
    main(Path(sys.argv[1]))
