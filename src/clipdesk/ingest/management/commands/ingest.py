import datetime as dt
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from clipdesk.archive.models import format_duration
from clipdesk.ingest import conf, remote
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
        parser.add_argument(
            "--remote",
            metavar="URL",
            help="ingest on the clipdesk site at URL: the file goes in resumable parts (tus), and running the "
            "same command again resumes an interrupted upload",
        )
        parser.add_argument(
            "--token",
            metavar="TOKEN",
            default=os.environ.get("CLIPDESK_API_TOKEN", ""),
            help="with --remote: an API token of a user who may ingest there (default CLIPDESK_API_TOKEN)",
        )
        parser.add_argument(
            "--part-mb",
            type=float,
            default=remote.PART_BYTES / 2**20,
            metavar="MB",
            help="with --remote: the size of each part (default 8)",
        )

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
        remote,
        token,
        part_mb,
        **options,
    ):
        try:
            aired_on = dt.date.fromisoformat(aired) if aired else None
            start_s = parse_time(start) if start else None
            end_s = parse_time(end) if end else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if remote:
            chosen = {"channel": channel, "aired_on": aired, "language": language, "start": start, "end": end}
            chosen |= {"translate": translate, "speakers": speakers, "title": title, "source": source}
            return self._remote(Path(file), remote.rstrip("/"), token, int(part_mb * 2**20), chosen, wait)
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

    def _remote(self, path: Path, site: str, token: str, part_bytes: int, chosen: dict, wait: bool) -> None:
        """Uploads to another site in resumable parts, has it queue the job, and (--wait) follows it."""
        if not token:
            raise CommandError("--remote needs an API token: --token TOKEN or CLIPDESK_API_TOKEN.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        console = Console(file=self.stderr._out, highlight=False)
        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
        try:
            with Progress(*columns, console=console) as bar:
                task = bar.add_task(f"Uploading {path.name}", total=path.stat().st_size)
                url = remote.upload(
                    path,
                    site=site,
                    token=token,
                    part_bytes=part_bytes,
                    on_progress=lambda sent, total: bar.update(task, completed=sent, total=total),
                )
            job = remote.queue(site, token, url, chosen)
        except remote.RemoteError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Job {job['id']} queued: {job['original_name']} ({format_duration(job['original_duration_ms'])}, "
            f"{job['original_size'] / 1e6:.1f} MB, sha256 {job['original_sha256'][:12]}…)."
        )
        if not wait:
            self.stdout.write(f"Follow it at {job['url']}; a worker there runs it.")
            return
        try:
            job = remote.follow(
                job,
                token,
                lambda j: self.stderr.write(f"{j['stage_label']} {j['percent']}%"),
                poll=POLL_SECONDS,
            )
        except remote.RemoteError as exc:
            raise CommandError(str(exc)) from exc
        if job["status"] != "done":
            raise CommandError(f"Job {job['id']} failed: {job['error']}")
        self.stdout.write(f"Draft ready: {job['clip']}")
        self.stdout.write(f"{site}{job['editor_url']}")

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
