"""Background work of the live transcription, run by `clipdesk worker`.

`transcribe_live` is enqueued when a stored segment makes a channel's window due (see
actions.wake); it works until no window is due. A job that fails is retried once by Huey; one
killed outright leaves its claims to go stale, and the minute's `live_tick` enqueues the work
again. `maintain_live_partitions` keeps the coming days' partitions made and applies retention.

`match_lines` and `index_live_lines` retry what the receiver of `lines_stored` could not do at once;
`send_alert_emails` batches and sends the alert emails each minute. They receive ids, never instances.
"""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import actions, live, livesearch
from .models import LiveChannel
from .partitions import maintain_partitions
from .windows import plan

log = logging.getLogger(__name__)


@db_task(retries=1, retry_delay=5)
def transcribe_live() -> None:
    live.work()


@db_task(retries=1, retry_delay=5)
def retranscribe_span(span_id: int) -> None:
    live.retranscribe(span_id)


@db_periodic_task(crontab(minute="*"))
def live_tick() -> None:
    """Every minute: every channel's lag (and its incident), and work for what is due but not queued
    (a channel whose recording stopped, a job that was killed)."""
    actions.ensure_channels()
    due = False
    for each in LiveChannel.objects.enabled().select_related("source"):
        actions.refresh_lag(each.source_id)
        due = due or plan(each) is not None
    if due:
        transcribe_live()


@db_periodic_task(crontab(minute="13"))
def maintain_live_partitions() -> None:
    result = maintain_partitions()
    if result.changed:
        log.info("live lines' partitions: %s", result)


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
