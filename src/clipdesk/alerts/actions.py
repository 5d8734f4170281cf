"""Named actions of the live transcription: every write to its state goes through one of these.

A job claims the channels it works on (`claim_due`), so that two workers never transcribe one
channel's window at once; a claim older than CLIPDESK_LIVE_STALE_SECONDS belongs to a killed job
and is free again. A window's lines and the watermark after them are stored in one transaction
(`store_window`), on the condition that the watermark is still the one the window was planned
from: a window redone after a crash, or planned twice, stores nothing twice.
"""

import datetime as dt
import logging

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from clipdesk.ingest.actions import require_ingest
from clipdesk.recording.models import ChannelSource, Segment

from .models import LiveChannel, LiveLine, NotTranscribed
from .signals import lines_stored
from .windows import Plan, plan, window_seconds

log = logging.getLogger(__name__)


class WindowLost(Exception):
    """The channel's watermark moved, or another job holds it now: this window's lines are not stored."""


def _task(name: str):
    """A task of tasks.py, by the dotted path the app names (tasks.py imports these actions)."""
    return import_string(getattr(apps.get_app_config("alerts"), name))


def ensure_channels() -> None:
    """Every recorded channel has its live state (enabled, priority 0)."""
    missing = ChannelSource.objects.filter(live__isnull=True).values_list("pk", flat=True)
    LiveChannel.objects.bulk_create([LiveChannel(source_id=pk) for pk in missing], ignore_conflicts=True)


def _stale() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=float(settings.CLIPDESK_LIVE_STALE_SECONDS))


def _free() -> Q:
    return Q(claimed_by="") | Q(claimed_at__isnull=True) | Q(claimed_at__lt=_stale())


def claim_due(worker: str, *, limit: int, source_ids=None, force: bool = False) -> list[Plan]:
    """Claims up to `limit` channels with a window due, most important first, for `worker`; returns
    their windows. Each claim is a conditional update, so two jobs never claim one channel."""
    ensure_channels()
    candidates = LiveChannel.objects.enabled().filter(_free()).by_priority()
    if source_ids is not None:
        candidates = candidates.filter(source_id__in=list(source_ids))
    plans: list[Plan] = []
    for live in candidates:
        if len(plans) >= limit:
            break
        window = plan(live, force=force)
        if window is None:
            continue
        now = timezone.now()
        won = (
            LiveChannel.objects.filter(_free(), pk=live.pk)
            .filter(Q(watermark=live.watermark) if live.watermark else Q(watermark__isnull=True))
            .update(claimed_by=worker[:200], claimed_at=now, queued_at=None)
        )
        if won:
            plans.append(window)
    return plans


def release(worker: str, source_ids) -> None:
    LiveChannel.objects.filter(claimed_by=worker[:200], source_id__in=list(source_ids)).update(
        claimed_by="", claimed_at=None
    )


def store_window(window: Plan, rows: list[LiveLine], watermark: dt.datetime, *, worker: str) -> list[int]:
    """Stores a window's final lines and moves the channel's watermark past them, in one transaction;
    `lines_stored` is sent after commit. WindowLost (nothing stored) when the channel is no longer
    `worker`'s or its watermark is no longer the one the window was planned from."""
    with transaction.atomic():
        live = LiveChannel.objects.select_for_update().get(source_id=window.source_id)
        if live.claimed_by != worker[:200] or live.watermark != window.expected:
            raise WindowLost(
                f"channel source {window.source_id}: the window from {window.keep_from} is not ours"
            )
        LiveLine.objects.bulk_create(rows)
        live.watermark = watermark
        live.failures, live.last_error = 0, ""
        live.claimed_at = timezone.now()  # still working: the claim stays fresh between windows
        live.save(update_fields=["watermark", "failures", "last_error", "claimed_at", "updated_at"])
        ids = [row.pk for row in rows]
        if ids:
            source_id = window.source_id
            transaction.on_commit(
                lambda: lines_stored.send(sender=LiveLine, source_id=source_id, line_ids=ids)
            )
    refresh_lag(window.source_id)
    return ids


def record_failure(window: Plan, error: str, *, worker: str) -> NotTranscribed | None:
    """A failed attempt at a window. After CLIPDESK_LIVE_ATTEMPTS of them the window is marked "not
    transcribed" (with the reason) and the watermark moves past it, so the channel goes on."""
    error = error[:500]
    with transaction.atomic():
        live = LiveChannel.objects.select_for_update().get(source_id=window.source_id)
        if live.claimed_by != worker[:200] or live.watermark != window.expected:
            return None
        live.failures += 1
        live.last_error = error
        span = None
        if live.failures >= int(settings.CLIPDESK_LIVE_ATTEMPTS):
            span = NotTranscribed.objects.create(
                source_id=window.source_id,
                start=window.keep_from,
                end=window.end,
                reason=error,
                attempts=live.failures,
            )
            live.watermark, live.failures = window.end, 0
            log.warning(
                "live transcription: channel source %s: %s to %s not transcribed after %s attempts: %s",
                window.source_id,
                window.keep_from,
                window.end,
                span.attempts,
                error,
            )
        else:
            log.warning(
                "live transcription: channel source %s: attempt %s at %s failed: %s",
                window.source_id,
                live.failures,
                window.keep_from,
                error,
            )
        live.save(update_fields=["watermark", "failures", "last_error", "updated_at"])
    refresh_lag(window.source_id)
    return span


# -- lag ---------------------------------------------------------------------------------------------


def lag_of(live: LiveChannel) -> float | None:
    """Seconds of recorded air after the watermark (all of it when nothing is transcribed yet)."""
    newest = Segment.objects.filter(source_id=live.source_id).aggregate(end=Max("end"))["end"]
    if newest is None:
        return None
    since = live.watermark
    if since is None:
        since = (
            Segment.objects.filter(source_id=live.source_id)
            .order_by("start")
            .values_list("start", flat=True)[0]
        )
    return max(0.0, (newest - since).total_seconds())


def refresh_lag(source_id: int) -> float | None:
    """Measures a channel's lag and opens or closes its lag incident: one warning and one email to
    the admins when the lag passes CLIPDESK_LIVE_LAG_ALERT_SECONDS, a new one only after it recovered."""
    live = LiveChannel.objects.select_related("source__channel").filter(source_id=source_id).first()
    if live is None:
        return None
    lag = lag_of(live) if live.enabled else None
    now = timezone.now()
    LiveChannel.objects.filter(pk=live.pk).update(lag_seconds=lag, lag_at=now)
    threshold = float(settings.CLIPDESK_LIVE_LAG_ALERT_SECONDS)
    name = live.source.channel.name
    if lag is not None and lag > threshold:
        # Conditional: of the processes that see the lag at once, one opens the incident.
        if LiveChannel.objects.filter(pk=live.pk, lagging_since__isnull=True).update(lagging_since=now):
            log.warning(
                "live transcription: %s is %.0f s behind the air (threshold %.0f s)", name, lag, threshold
            )
            transaction.on_commit(lambda: _mail_admins_lag(name, source_id, lag, threshold))
    elif LiveChannel.objects.filter(pk=live.pk, lagging_since__isnull=False).update(lagging_since=None):
        log.info("live transcription: %s has caught up (%.0f s behind)", name, lag or 0.0)
    return lag


def admin_addresses() -> list[str]:
    configured = [address for _, address in settings.ADMINS if address]
    if configured:
        return configured
    users = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
    return sorted(users.values_list("email", flat=True))


def _mail_admins_lag(name: str, source_id: int, lag: float, threshold: float) -> None:
    to = admin_addresses()
    if not to:
        log.warning(
            "live transcription: no admin address to tell that %s is behind (set CLIPDESK_ADMINS)", name
        )
        return
    slug = ChannelSource.objects.filter(pk=source_id).values_list("channel__slug", flat=True).first()
    link = f"{settings.CLIPDESK_BASE_URL}/staff/channels/{slug}/timeline/"
    EmailMessage(
        subject=f"[{settings.CLIPDESK_SITE_NAME}] Live transcript of {name} is {lag:.0f} s behind",
        body=(
            f"The live transcript of {name} is {lag:.0f} seconds behind the air, more than the "
            f"{threshold:.0f} seconds allowed (CLIPDESK_LIVE_LAG_ALERT_SECONDS).\n\n"
            "The workers cannot keep up: start more `clipdesk worker` processes, give the channels "
            "that matter most a higher priority, or switch English drafts off for some channels.\n\n"
            f"Timeline: {link}\n\nYou get one email per incident; the next comes after it has caught up."
        ),
        to=to,
    ).send()


# -- waking the jobs ---------------------------------------------------------------------------------


def wake(source_id: int) -> bool:
    """A segment of the channel was stored: measure its lag and, when a window is due and no job
    is queued or working on it, enqueue one. Returns whether one was enqueued."""
    ensure_channels()
    refresh_lag(source_id)
    live = LiveChannel.objects.filter(source_id=source_id).enabled().first()
    if live is None or (live.lag_seconds or 0.0) < window_seconds().total_seconds():
        return False
    unqueued = Q(queued_at__isnull=True) | Q(queued_at__lt=_stale())
    if not LiveChannel.objects.filter(_free(), unqueued, pk=live.pk).update(queued_at=timezone.now()):
        return False
    transaction.on_commit(lambda: _task("live_task")())
    return True


# -- staff -------------------------------------------------------------------------------------------


def retry_span(span: NotTranscribed, *, user) -> NotTranscribed:
    """Queue a "not transcribed" span to be transcribed again."""
    require_ingest(user)  # those who make drafts from recordings may have the machine try again
    with transaction.atomic():
        span = NotTranscribed.objects.select_for_update().get(pk=span.pk)
        if span.status == NotTranscribed.Status.DONE:
            raise ValidationError("This span has been transcribed already.")
        span.status = NotTranscribed.Status.QUEUED
        span.save(update_fields=["status", "updated_at"])
        span_id = span.pk
        transaction.on_commit(lambda: _task("span_task")(span_id))
    return span


def store_retried_span(span_id: int, rows: list[LiveLine]) -> list[int]:
    """The lines of a span transcribed again; lines starting where one is stored already are left out."""
    with transaction.atomic():
        span = NotTranscribed.objects.select_for_update().get(pk=span_id)
        if span.status == NotTranscribed.Status.DONE:
            return []
        taken = set(
            LiveLine.objects.filter(source_id=span.source_id)
            .between(span.start, span.end)
            .values_list("start", flat=True)
        )
        rows = [row for row in rows if row.start not in taken]
        LiveLine.objects.bulk_create(rows)
        span.status = NotTranscribed.Status.DONE
        span.attempts += 1
        span.save(update_fields=["status", "attempts", "updated_at"])
        ids = [row.pk for row in rows]
        if ids:
            source_id = span.source_id
            transaction.on_commit(
                lambda: lines_stored.send(sender=LiveLine, source_id=source_id, line_ids=ids)
            )
    return ids


def span_failed(span_id: int, error: str) -> None:
    NotTranscribed.objects.filter(pk=span_id).exclude(status=NotTranscribed.Status.DONE).update(
        status=NotTranscribed.Status.FAILED, reason=error[:500], updated_at=timezone.now()
    )
