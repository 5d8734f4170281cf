import datetime as dt
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from clipdesk.archive.models import format_duration
from clipdesk.ingest import conf
from clipdesk.ingest.actions import create_ingest_job
from clipdesk.ingest.models import IngestJob
from clipdesk.ingest.tasks import execute_job, worker_name
from clipdesk.ingest.validation import parse_time

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Ingest a recording: check it by its content, store it with its SHA-256, and queue the job that "
        "transcribes and translates it into a draft clip. With --wait, follow the job to its end (running "
        "it here when no worker takes it) and print the draft's id and editor URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="an audio or video file (checked by its content)")
        parser.add_argument("--channel", metavar="NAME", help="the channel it aired on (created if new)")
        parser.add_argument("--aired", metavar="DATE", help="the air date, YYYY-MM-DD")
        parser.add_argument(
            "--language",
            default="auto",
            metavar="auto|CODE",
            help="the spoken language: auto (identify it) or a BCP 47 code",
        )
        parser.add_argument("--start", metavar="T", help="cut the clip from T (seconds, or [h:]mm:ss)")
        parser.add_argument("--end", metavar="T", help="cut the clip up to T (seconds, or [h:]mm:ss)")
        parser.add_argument(
            "--translate",
            choices=IngestJob.Translate.values,
            help="the English draft: whisper, ctranslate2 (CLIPDESK_TRANSLATION_MODEL_DIR) or none "
            "(default CLIPDESK_DEFAULT_TRANSLATE)",
        )
        parser.add_argument(
            "--speakers",
            choices=IngestJob.Speakers.values,
            default=IngestJob.Speakers.AUTO,
            help="how speakers are told apart (default auto)",
        )
        parser.add_argument(
            "--title", default="", metavar="TEXT", help="the draft's title (default: from the file name)"
        )
        parser.add_argument(
            "--source", default="", metavar="TEXT", help="where the recording came from, for provenance"
        )
        parser.add_argument("--wait", action="store_true", help="follow the job and print the draft's id")

    def handle(
        self,
        *args,
        file,
        channel,
        aired,
        language,
        start,
        end,
        translate,
        speakers,
        title,
        source,
        wait,
        **options,
    ):
        try:
            aired_on = dt.date.fromisoformat(aired) if aired else None
            start_s = parse_time(start) if start else None
            end_s = parse_time(end) if end else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            job = create_ingest_job(
                file,
                user=None,
                channel=channel,
                aired_on=aired_on,
                language=language,
                start=start_s,
                end=end_s,
                translate=translate,
                speakers=speakers,
                title=title,
                source=source,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Job {job.pk} queued: {job.original_name} ({format_duration(job.original_duration_ms)}, "
            f"{job.original_size / 1e6:.1f} MB, sha256 {job.original_sha256[:12]}…)."
        )
        if not wait:
            self.stdout.write(
                f"Follow it at {settings.CLIPDESK_BASE_URL}{job.get_absolute_url()}; a worker (clipdesk worker) runs it."
            )
            return
        try:
            job = self._follow(job.pk)
        except KeyboardInterrupt:
            raise CommandError(f"Interrupted: job {job.pk} goes back to the queue.", returncode=130) from None
        if job.status != IngestJob.Status.DONE:
            raise CommandError(f"Job {job.pk} failed: {job.error}")
        self.stdout.write(f"Draft ready: id:{job.clip_id}")
        self.stdout.write(f"{settings.CLIPDESK_BASE_URL}{job.editor_url}")

    def _follow(self, job_id: int) -> IngestJob:
        """Polls the job row, drawing its stage and progress; runs the job here when it is due and no
        worker has taken it for CLIPDESK_INGEST_WORKER_WAIT_SECONDS (a late worker then finds it claimed)."""
        patience = float(conf.get("CLIPDESK_INGEST_WORKER_WAIT_SECONDS"))
        console = Console(file=self.stderr._out, highlight=False)
        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("Waiting for a worker", total=1.0)

            def show(stage: str, progress: float) -> None:
                bar.update(task, description=IngestJob.Stage(stage).label, completed=progress)

            idle_since = time.monotonic()
            while True:
                job = IngestJob.objects.get(pk=job_id)
                if job.is_finished:
                    bar.update(task, description=job.stage_label, completed=job.progress)
                    return job
                bar.update(task, description=job.stage_label, completed=job.progress)
                due = job.status == IngestJob.Status.QUEUED and (
                    job.due_at is None or job.due_at <= timezone.now()
                )
                if not due:
                    idle_since = time.monotonic()  # a worker has it, or a retry is not due yet
                elif time.monotonic() - idle_since >= patience:
                    bar.console.print(f"No worker took job {job_id} within {patience:g} s: running it here.")
                    execute_job(job_id, worker=f"cli:{worker_name()}", on_progress=show)
                    idle_since = time.monotonic()
                    continue
                time.sleep(POLL_SECONDS)
