"""Named actions of watchlists and alerts: every write goes through one of these.

Staff actions check that the user owns the watchlist (or is a superuser). `raise_alerts` is the
matcher's write: one alert per watchlist and line, whatever the retries, and none for the same words
heard again by an overlapping window (same watchlist and channel, within `NEAR` of an earlier alert).
Alert emails are written to the outbox (`AlertEmail`) with their alerts in one transaction, at most
one per watchlist every `email_minutes`, and sent by the worker.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from clipdesk.archive.models import Person
from clipdesk.recording.models import ChannelSource

from .matching import CompiledTerm, CompiledWatchlist, Line, compile_term, match_query
from .models import Alert, AlertEmail, LiveLine, Watchlist, WatchTerm

log = logging.getLogger(__name__)

NEAR = dt.timedelta(seconds=2)  # an alert this close to another of the same list and channel is the same one
BROAD_SAMPLE = 2000  # lines of the last hour a new term is tried on
BROAD_MIN_LINES = 20  # with fewer lines than this, nothing is "most lines"
BROAD_SHARE = 0.5
EMAIL_LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 10


def require_owner(watchlist: Watchlist, user) -> None:
    if user is not None and not (user.is_superuser or watchlist.owner_id == user.pk):
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
    require_owner(watchlist, user)
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
            EmailMessage(email.subject, email.body, to=[email.to_email], connection=connection).send()
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
