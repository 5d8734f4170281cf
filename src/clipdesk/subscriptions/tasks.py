"""Background jobs: sending one message, the digest schedule, retries, and forgetting old mail.

The schedule is read when the worker starts. Hours are UTC, as Huey keeps time. Only the worker
started without `--no-periodic` enqueues the periodic tasks, and even two schedulers would not send
a digest twice (see `digests`).
"""

import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from clipdesk import parsers

from . import actions, retention

log = logging.getLogger(__name__)


def digest_hour() -> int:
    return parsers.hour(settings.CLIPDESK_DIGEST_HOUR)


def digest_weekday() -> int:
    """The weekly digest's day as crontab counts it (0 = Sunday), from a name or a number."""
    return parsers.weekday(settings.CLIPDESK_DIGEST_WEEKDAY)


@db_task()
def send_message(message_id: int) -> None:
    actions.deliver_message(message_id)


def send_soon(sender, *, message_id: int, **kwargs) -> None:
    """Receiver of signals.message_queued: queue the message's sending (SubscriptionsConfig connects it)."""
    send_message(message_id)


@db_periodic_task(crontab(minute="0", hour=str(digest_hour())))
def daily_digests() -> None:
    _log_run(actions.send_digests("daily"))


@db_periodic_task(crontab(minute="0", hour=str(digest_hour()), day_of_week=str(digest_weekday())))
def weekly_digests() -> None:
    _log_run(actions.send_digests("weekly"))


@db_periodic_task(crontab(minute="*"))
def retry_mail() -> None:
    """Send what is due: messages deferred by a temporary refusal, or held while the server was down."""
    report = actions.deliver_outbox()
    if report.sent or report.deferred or report.rejected:
        log.info(
            "mail retry: %d sent, %d deferred, %d rejected", report.sent, report.deferred, report.rejected
        )


@db_periodic_task(crontab(minute="30", hour="3"))
def forget_old_mail() -> None:
    """Sent, failed and cancelled messages hold addresses; keep them only a while, for support."""
    deleted = retention.forget_old_mail(timezone.now())
    if deleted:
        log.info("forgot %d old outbox message(s)", deleted)


def _log_run(report) -> None:
    log.info(
        "%s digests: %d subscribers, %d written (%d clips), %d sent, %d deferred, %d rejected, %d held%s",
        report.period,
        report.subscribers,
        report.written,
        report.clips,
        report.delivery.sent,
        report.delivery.deferred,
        report.delivery.rejected,
        report.delivery.held,
        f" (mail server unavailable: {report.delivery.unreachable})" if report.delivery.unreachable else "",
    )
