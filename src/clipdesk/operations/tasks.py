"""The nightly purge of personal data past its retention period (see actions.purge_personal_data).

Hours are UTC, as Huey keeps time; only the worker that runs the periodic schedule enqueues it.
"""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="15", hour="4"))
def purge_personal_data() -> None:
    report = actions.purge_personal_data()
    if report.total:
        log.info(
            "personal data past retention: %s",
            ", ".join(f"{count} {kind}" for kind, count in report.counts.items() if count),
        )
