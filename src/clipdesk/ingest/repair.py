"""The ingest app's repairer for `clipdesk repair`: re-enqueue the jobs the queue or a worker lost."""

from clipdesk.repairing import RepairResult

from .reaper import requeue_stale_jobs


def requeue_ingest_jobs(*, dry_run: bool) -> RepairResult:
    found = requeue_stale_jobs(dry_run=dry_run)
    would = "would " if dry_run else ""
    said = []
    if found.abandoned:
        said.append(f"{would}re-enqueue {len(found.abandoned)} abandoned (ids {_ids(found.abandoned)})")
    if found.lost:
        said.append(f"{would}re-enqueue {len(found.lost)} lost by the queue (ids {_ids(found.lost)})")
    if found.failed:
        said.append(f"{would}fail {len(found.failed)} with no attempts left (ids {_ids(found.failed)})")
    if not found.queue_readable:
        said.append("the queue cannot be read, so queued jobs were not checked")
    summary = "ingest jobs: " + ("; ".join(said) if said else "none stale or lost")
    return RepairResult(summary, found.count)


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids)
