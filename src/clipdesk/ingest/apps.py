from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "clipdesk.ingest"
    label = "ingest"
    verbose_name = "Ingest"
    # `clipdesk repair` re-enqueues what the queue or a worker lost (see clipdesk.operations.repair).
    repairers = ("clipdesk.ingest.repair.requeue_ingest_jobs",)
    # The task that runs a job; the actions and the reaper enqueue it through clipdesk.ingest.queue.
    job_task = "clipdesk.ingest.tasks.run_ingest_job"
