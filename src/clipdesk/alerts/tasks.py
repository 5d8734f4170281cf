"""Background jobs of the alerts app. They receive ids, never instances."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import actions, livesearch


@db_task(retries=3, retry_delay=10)
def match_lines(source_id: int, line_ids: list[int]) -> int:
    return len(actions.raise_alerts(source_id, line_ids))


# Retried because another process may hold a week's tantivy writer (a rebuild) for a while.
@db_task(retries=5, retry_delay=30)
def index_live_lines(line_ids: list[int]) -> int:
    return livesearch.index_lines(line_ids)


@db_periodic_task(crontab(minute="*"))
def send_alert_emails() -> int:
    """Each minute: batch the waiting alerts of each watchlist whose interval has passed, then send."""
    actions.batch_alert_emails()
    return actions.deliver_alert_emails()
