"""Background jobs of the search app. They receive ids, never instances."""

from huey.contrib.djhuey import db_task

from . import actions


# Retried because another process may hold the tantivy writer (a rebuild) for a while.
@db_task(retries=5, retry_delay=30)
def sync_clip_index(clip_id: int) -> str:
    return actions.sync_clip(clip_id)
