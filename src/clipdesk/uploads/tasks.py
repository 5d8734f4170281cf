"""Every hour, the uploads nobody has added to for CLIPDESK_UPLOAD_EXPIRY_HOURS are deleted."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions


@db_periodic_task(crontab(minute="17"))
def delete_expired_uploads() -> int:
    return actions.delete_expired()
