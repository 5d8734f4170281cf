"""The ingest jobs' queue as the rest of the app reaches it: enqueue a job, list the jobs whose message
waits. The task itself lives in `tasks`, which runs jobs through the actions; the actions and the reaper
reach it here by the dotted path the app names (`IngestConfig.job_task`), as `clipdesk repair` reaches
each app's repairers, so that no module of the app imports one that imports it back.
"""

from django.apps import apps
from django.utils.module_loading import import_string


def job_task():
    """The Huey task that runs one ingest job (`clipdesk.ingest.tasks.run_ingest_job`)."""
    return import_string(apps.get_app_config("ingest").job_task)


def enqueue(job_id: int, delay: float = 0) -> None:
    task = job_task()
    if delay > 0:
        task.schedule(args=(job_id,), delay=delay)
    else:
        task(job_id)


def queued_job_ids() -> set[int]:
    """Ids of the ingest jobs whose message waits in the queue (pending, or scheduled for a retry)."""
    task = job_task()
    ids = set()
    for waiting in [*task.huey.pending(), *task.huey.scheduled()]:
        if isinstance(waiting, task.task_class) and waiting.args:
            ids.add(int(waiting.args[0]))
    return ids
