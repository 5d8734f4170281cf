"""The hourly retention of recordings (see retention.apply_retention); hours are UTC, as Huey keeps time."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .retention import apply_retention


@db_periodic_task(crontab(minute="7"))
def recording_retention() -> None:
    apply_retention()
