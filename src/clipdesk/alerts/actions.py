"""Named actions of the live transcripts and their watchlists: every write goes through one of these.

A job claims the channels it works on (`claim_due`), so that two workers never transcribe one
channel's window at once; a claim older than CLIPDESK_LIVE_STALE_SECONDS belongs to a killed job
and is free again. A window's lines and the watermark after them are stored in one transaction
(`store_window`), on the condition that the watermark is still the one the window was planned
from: a window redone after a crash, or planned twice, stores nothing twice.

Watchlists: staff actions check the user's permission (accounts.roles) and that the user owns the
watchlist (or oversees every monitor's, the admin role); `user=None` is a trusted process. `raise_alerts` is the
matcher's write: one alert per watchlist and line, whatever the retries, and none for the same words
heard again by an overlapping window (same watchlist and channel, within `NEAR` of an earlier alert).
Alert emails are written to the outbox (`AlertEmail`) with their alerts in one transaction, at most
one per watchlist every `email_minutes`, and sent by the worker.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from clipdesk.archive.actions import require
from clipdesk.archive.models import Person
from clipdesk.recording.models import ChannelSource, Segment

from .matching import CompiledTerm, CompiledWatchlist, Line, compile_term, match_query
from .models import OVERSEE, Alert, AlertEmail, LiveChannel, LiveLine, NotTranscribed, Watchlist, WatchTerm
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
    require(user, "alerts.change_nottranscribed")
    with transaction.atomic():
        kept = NotTranscribed.objects.select_for_update().filter(pk=span.pk).first()
        if kept is None:
            raise ValidationError("This span is no longer kept: its recording is past retention.")
        span = kept
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
        span = NotTranscribed.objects.select_for_update().filter(pk=span_id).first()
        if span is None or span.status == NotTranscribed.Status.DONE:  # gone by retention, or done
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


# Watchlists and alerts ================================================================================

NEAR = dt.timedelta(seconds=2)  # an alert this close to another of the same list and channel is the same one
BROAD_SAMPLE = 2000  # lines of the last hour a new term is tried on
BROAD_MIN_LINES = 20  # with fewer lines than this, nothing is "most lines"
BROAD_SHARE = 0.5
EMAIL_LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 10


def require_owner(watchlist: Watchlist, user, perm: str = "alerts.change_watchlist") -> None:
    """`user` holds `perm` and owns the watchlist, or oversees every monitor's."""
    require(user, perm)
    if user is not None and not (watchlist.owner_id == user.pk or user.has_perm(OVERSEE)):
        raise PermissionDenied("This watchlist is another monitor's.")


# Watchlists ------------------------------------------------------------------------------------------


def _check_settings(name: str, email: str, email_minutes: int) -> None:
    if not name.strip():
        raise ValidationError({"name": "A watchlist needs a name."})
    if email and email_minutes < 1:
        raise ValidationError({"email_minutes": "Emails need an interval of at least one minute."})


@transaction.atomic
def create_watchlist(
    *,
    user,
    name: str,
    sources: Iterable[ChannelSource] = (),
    email: str = "",
    email_minutes: int = 15,
) -> Watchlist:
    if not user.is_staff:
        raise PermissionDenied("Watchlists are for staff.")
    require(user, "alerts.add_watchlist")
    _check_settings(name, email, email_minutes)
    watchlist = Watchlist.objects.create(
        owner=user, name=name.strip(), email=email.strip(), email_minutes=email_minutes
    )
    watchlist.sources.set(list(sources))
    return watchlist


@transaction.atomic
def change_watchlist(
    watchlist: Watchlist,
    *,
    user,
    name: str,
    sources: Iterable[ChannelSource],
    email: str,
    email_minutes: int,
    active: bool,
) -> Watchlist:
    require_owner(watchlist, user)
    _check_settings(name, email, email_minutes)
    watchlist.name, watchlist.email, watchlist.email_minutes = name.strip(), email.strip(), email_minutes
    watchlist.active = active
    watchlist.save()
    watchlist.sources.set(list(sources))
    return watchlist


@transaction.atomic
def delete_watchlist(watchlist: Watchlist, *, user) -> None:
    require_owner(watchlist, user, "alerts.delete_watchlist")
    watchlist.delete()


def check_term(
    kind: str, value: str, *, person: Person | None = None, sources: Sequence[ChannelSource] = ()
) -> CompiledTerm:
    """The compiled term, or ValidationError saying why it is refused: empty, not a valid search,
    or so broad that it matches most lines of the last hour."""
    value = value.strip()
    if kind not in WatchTerm.Kind.values:
        raise ValidationError({"kind": f"Choose a kind of term among {', '.join(WatchTerm.Kind.values)}."})
    if kind == WatchTerm.Kind.NAME:
        if person is None:
            raise ValidationError({"person": "Choose the person or organisation to watch for."})
        names = [person.name, *person.aliases.values_list("name", flat=True)]
        compiled = compile_term(kind, person.name, names)
    else:
        if not value:
            raise ValidationError({"value": "The term is empty: enter a word, a phrase or a search."})
        compiled = compile_term(kind, value)
    query = compiled.query
    if kind == WatchTerm.Kind.SEARCH:
        if query.speaker:
            raise ValidationError({"value": "speaker: cannot be watched: live transcripts name no speakers."})
        if compiled.notes:
            raise ValidationError({"value": "Not a valid search: " + " ".join(compiled.notes)})
    if not query.must:
        reason = " ".join(compiled.notes) or "It has no word to look for."
        raise ValidationError({"value": f"Nothing to watch for: {reason}"})
    _refuse_broad(compiled, sources)
    return compiled


def _refuse_broad(compiled: CompiledTerm, sources: Sequence[ChannelSource]) -> None:
    since = timezone.now() - dt.timedelta(hours=1)
    lines = LiveLine.objects.between(since, timezone.now() + dt.timedelta(minutes=1))
    if sources:
        lines = lines.filter(source__in=sources)
    sample = list(
        lines.order_by("-start").values("id", "start", "language", "text", "english")[:BROAD_SAMPLE]
    )
    if len(sample) < BROAD_MIN_LINES:
        return
    matched = sum(1 for row in sample if match_query(compiled.query, Line(**row)) is not None)
    if matched > len(sample) * BROAD_SHARE:
        raise ValidationError(
            {
                "value": f"Too broad: it matches {matched} of the last {len(sample)} lines of the last hour. "
                "Watch for something more particular."
            }
        )


@transaction.atomic
def add_watch_term(
    watchlist: Watchlist, *, user, kind: str, value: str = "", person: Person | None = None
) -> WatchTerm:
    require_owner(watchlist, user)
    check_term(kind, value, person=person, sources=list(watchlist.sources.all()))
    term = WatchTerm.objects.create(
        watchlist=watchlist,
        kind=kind,
        value=(person.name if person is not None and kind == WatchTerm.Kind.NAME else value.strip()),
        person=person if kind == WatchTerm.Kind.NAME else None,
    )
    watchlist.save(update_fields=["updated_at"])
    return term


@transaction.atomic
def remove_watch_term(term: WatchTerm, *, user) -> None:
    require_owner(term.watchlist, user)
    term.delete()


# Matching --------------------------------------------------------------------------------------------


def compiled_watchlists(source_id: int) -> list[CompiledWatchlist]:
    """The active watchlists over this source, compiled. A term that no longer compiles is skipped."""
    found = []
    watchlists = Watchlist.objects.watching(source_id).prefetch_related("terms__person__aliases")
    for watchlist in watchlists:
        terms = []
        for term in watchlist.terms.all():
            names: list[str] = []
            if term.person is not None:
                names = [term.person.name, *(a.name for a in term.person.aliases.all())]
            compiled = compile_term(term.kind, term.value, names)
            if compiled.query.must:
                compiled.term_id = term.pk
                terms.append(compiled)
        if terms:
            found.append(CompiledWatchlist(watchlist.pk, terms))
    return found


@dataclass(frozen=True)
class Match:
    watchlist_id: int
    term_id: int | None
    matched: str
    line: LiveLine
    air_time: dt.datetime


def find_matches(source_id: int, line_ids: Sequence[int]) -> list[Match]:
    watchlists = compiled_watchlists(source_id)
    if not watchlists or not line_ids:
        return []
    lines = LiveLine.objects.filter(source_id=source_id, pk__in=list(line_ids)).select_related(
        "source__channel"
    )
    found = []
    for row in lines:
        line = Line(
            id=row.pk,
            start=row.start,
            language=row.language,
            text=row.text,
            english=row.english,
            words=row.words or (),
            channel=row.source.channel.name,
        )
        for watchlist in watchlists:
            hit = watchlist.match(line)
            if hit is not None:
                term, where = hit
                found.append(
                    Match(
                        watchlist.watchlist_id, term.term_id, term.label, row, line.moment(where.in_original)
                    )
                )
    return found


def raise_alerts(source_id: int, line_ids: Sequence[int]) -> list[Alert]:
    """Match the watchlists over this source against these new lines and store each new alert once."""
    created = []
    for match in find_matches(source_id, line_ids):
        alert = _store(match)
        if alert is not None:
            created.append(alert)
    return created


@transaction.atomic
def _store(match: Match) -> Alert | None:
    # The watchlist's row is the lock: two workers storing the same words (a retried window, an
    # overlapping one) take turns, and the second sees the first's alert.
    Watchlist.objects.select_for_update().filter(pk=match.watchlist_id).first()
    line = match.line
    same = Alert.objects.filter(watchlist_id=match.watchlist_id).filter(
        Q(line_day=line.day, line_id=line.pk)
        | Q(
            source_id=line.source_id, air_time__gte=match.air_time - NEAR, air_time__lte=match.air_time + NEAR
        )
    )
    if same.exists():
        return None
    return Alert.objects.create(
        watchlist_id=match.watchlist_id,
        term_id=match.term_id,
        matched=match.matched[:500],
        source_id=line.source_id,
        line_id=line.pk,
        line_day=line.day,
        line_start=line.start,
        air_time=match.air_time,
        language=line.language,
        text=line.text,
        english=line.english,
    )


# Emails ----------------------------------------------------------------------------------------------


def timeline_url(alert: Alert, *, before: dt.timedelta = dt.timedelta(seconds=15)) -> str:
    """The channel's timeline, playing from `before` the alert's air time."""
    moment = (alert.air_time - before).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{reverse('recording:timeline', args=[alert.source.channel.slug])}?t={moment}"


def _email_body(watchlist: Watchlist, alerts: list[Alert]) -> str:
    base = settings.CLIPDESK_BASE_URL
    parts = [
        f"{len(alerts)} new alert{'s' if len(alerts) != 1 else ''} for the watchlist “{watchlist.name}”.",
        "",
    ]
    for alert in alerts:
        parts.append(f"{alert.source.channel.name}, {alert.air_time:%Y-%m-%d %H:%M:%S} UTC: {alert.matched}")
        parts.append(f"  {alert.text}")
        if alert.english:
            parts.append(f"  English (machine draft): {alert.english}")
        parts.append(f"  Play from 15 s before: {base}{timeline_url(alert)}")
        parts.append("")
    parts.append(f"All alerts: {base}{reverse('alerts:feed')}")
    return "\n".join(parts)


def batch_alert_emails(*, now: dt.datetime | None = None) -> list[AlertEmail]:
    """Write one email per watchlist whose alerts are waiting and whose interval has passed."""
    now = now or timezone.now()
    waiting = Alert.objects.unmailed().filter(watchlist=OuterRef("pk"))
    due = (
        Watchlist.objects.active()
        .exclude(email="")
        .filter(email_minutes__gt=0)
        .filter(Exists(waiting))
        .values_list("pk", flat=True)
    )
    written = []
    for pk in due:
        email = _batch_one(pk, now)
        if email is not None:
            written.append(email)
    return written


@transaction.atomic
def _batch_one(watchlist_id: int, now: dt.datetime) -> AlertEmail | None:
    watchlist = Watchlist.objects.select_for_update().filter(pk=watchlist_id).first()
    if watchlist is None or not watchlist.email or watchlist.email_minutes < 1:
        return None
    if watchlist.last_emailed_at and now - watchlist.last_emailed_at < dt.timedelta(
        minutes=watchlist.email_minutes
    ):
        return None
    alerts = list(
        watchlist.alerts.unmailed().select_related("source__channel").order_by("air_time", "pk")[:200]
    )
    if not alerts:
        return None
    count = len(alerts)
    email = AlertEmail.objects.create(
        watchlist=watchlist,
        to_email=watchlist.email,
        subject=f"[{settings.CLIPDESK_SITE_NAME}] {watchlist.name}: {count} alert{'s' if count != 1 else ''}",
        body=_email_body(watchlist, alerts),
    )
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(email=email)
    watchlist.last_emailed_at = now
    watchlist.save(update_fields=["last_emailed_at"])
    return email


def _claim(now: dt.datetime) -> AlertEmail | None:
    with transaction.atomic():
        email = (
            AlertEmail.objects.pending()
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")
            .first()
        )
        if email is None:
            return None
        email.claimed_until = now + EMAIL_LEASE
        email.attempts += 1
        email.save(update_fields=["claimed_until", "attempts"])
        return email


def _mail_domain() -> str:
    return urlsplit(settings.CLIPDESK_BASE_URL).hostname or "localhost"


def deliver_alert_emails(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Send the waiting alert emails; returns how many were sent. An email is claimed before it is
    sent and marked after: a failure leaves it for the next run, until MAX_ATTEMPTS."""
    now = now or timezone.now()
    sent = 0
    connection = get_connection()
    for _ in range(limit):
        email = _claim(now)
        if email is None:
            break
        try:
            EmailMessage(
                email.subject,
                email.body,
                to=[email.to_email],
                connection=connection,
                # The same id each try: a copy sent again after a crash is known for the same message.
                headers={"Message-ID": f"<alert-email-{email.pk}@{_mail_domain()}>"},
            ).send()
        except Exception as exc:  # the mail server said no, or is away: try again later
            log.warning("alert email %s not sent: %s", email.pk, exc)
            failed = email.attempts >= MAX_ATTEMPTS
            AlertEmail.objects.filter(pk=email.pk).update(
                status=AlertEmail.Status.FAILED if failed else AlertEmail.Status.PENDING,
                claimed_until=now + dt.timedelta(minutes=1),
                last_error=str(exc)[:500],
            )
            continue
        AlertEmail.objects.filter(pk=email.pk).update(
            status=AlertEmail.Status.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
        )
        sent += 1
    return sent
