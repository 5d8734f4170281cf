"""Staff pages of the live transcripts: retrying a span the live transcription gave up on (the running
transcript itself is shown on the recording's timeline, templatetags/live.py), the alert feed (and the
JSON it polls), the monitor's watchlists, and the search of the recordings. Nothing here is public: each
page needs its permission (accounts.roles; a staff user without it gets 403), and a monitor sees only their
own watchlists and alerts (those who oversee watchlists, the admin role, see every monitor's)."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clipdesk.accounts.decorators import staff_permission_required

from . import actions, livesearch
from .forms import LiveSearchForm, WatchlistForm, WatchTermForm
from .models import Alert, NotTranscribed, Watchlist, WatchTerm

FEED_SIZE = 50
PLAY_BEFORE = dt.timedelta(seconds=15)
CLIP_AFTER = dt.timedelta(seconds=45)


def _watchlist(request, pk: int) -> Watchlist:
    return get_object_or_404(Watchlist.objects.visible_to(request.user), pk=pk)


def _require_on_post(request, perm: str) -> None:
    """Pages that show on GET and write on POST: the write needs its own permission."""
    if request.method == "POST" and not request.user.has_perm(perm):
        raise PermissionDenied


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, exc)


# Retrying a span ------------------------------------------------------------------------------------


@staff_permission_required("alerts.change_nottranscribed")
@require_POST
def retry(request, slug: str, pk: int):
    span = get_object_or_404(
        NotTranscribed.objects.select_related("source"), pk=pk, source__channel__slug=slug
    )
    try:
        actions.retry_span(span, user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "The span is queued to be transcribed again.")
    local = span.start.astimezone(span.source.zone)
    query = urlencode({"date": local.date().isoformat(), "hour": local.hour})
    return redirect(f"{reverse('recording:timeline', args=[slug])}?{query}")


# The feed ---------------------------------------------------------------------------------------------


def alert_document(alert: Alert) -> dict:
    slug = alert.source.channel.slug
    timeline = reverse("recording:timeline", args=[slug])
    play_from = alert.air_time - PLAY_BEFORE
    cut = {
        "t": livesearch.moment_param(play_from),
        "in": livesearch.moment_param(play_from),
        "out": livesearch.moment_param(alert.air_time + CLIP_AFTER),
    }
    return {
        "id": alert.pk,
        "watchlist": alert.watchlist.name,
        "matched": alert.matched,
        "channel": alert.source.channel.name,
        "air_time": livesearch.moment_param(alert.air_time),
        "language": alert.language,
        "text": alert.text,
        "english": alert.english,
        "play_url": livesearch.timeline_url(slug, play_from),
        "clip_url": f"{timeline}?t={cut['t']}&in={cut['in']}&out={cut['out']}",
    }


def _feed(request):
    alerts = Alert.objects.for_owner(request.user).select_related("watchlist", "source__channel")
    return alerts.newest_first()


def _can_cut(user) -> bool:
    """Whether "Make a clip here" is offered: the timeline's cut form needs the ingest permissions."""
    return user.has_perms(("recording.view_segment", "media.add_mediaasset", "archive.add_clip"))


@staff_permission_required("alerts.view_alert")
@require_GET
def feed(request):
    alerts = [alert_document(a) for a in _feed(request)[:FEED_SIZE]]
    context = {
        "alerts": alerts,
        "latest": alerts[0]["id"] if alerts else 0,
        "watchlists": Watchlist.objects.owned_by(request.user).count(),
        "can_cut": _can_cut(request.user),
    }
    return render(request, "alerts/feed.html", context)


@staff_permission_required("alerts.view_alert")
@require_GET
def feed_json(request):
    """The monitor's alerts newer than ?after= (an alert id), newest first; the feed page polls it."""
    after = request.GET.get("after", "0")
    after_id = int(after) if after.isascii() and after.isdigit() and len(after) < 19 else 0
    alerts = [alert_document(a) for a in _feed(request).filter(pk__gt=after_id)[:FEED_SIZE]]
    if not _can_cut(request.user):
        for alert in alerts:
            alert["clip_url"] = ""
    return JsonResponse({"alerts": alerts})


# Watchlists -------------------------------------------------------------------------------------------


@staff_permission_required("alerts.view_watchlist")
@require_http_methods(["GET", "POST"])
def watchlists(request):
    _require_on_post(request, "alerts.add_watchlist")
    form = WatchlistForm(request.POST or None, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            watchlist = actions.create_watchlist(
                user=request.user,
                name=data["name"],
                sources=data["sources"],
                email=data["email"],
                email_minutes=data["email_minutes"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Watchlist made: now add what it listens for.")
            return redirect("alerts:watchlist", watchlist.pk)
    lists = (
        Watchlist.objects.visible_to(request.user)
        .select_related("owner")
        .prefetch_related("terms", "sources__channel")
    )
    context = {
        "form": form,
        "watchlists": lists,
        "can_add": request.user.has_perm("alerts.add_watchlist"),
    }
    return render(request, "alerts/watchlists.html", context)


@staff_permission_required("alerts.view_watchlist")
@require_http_methods(["GET", "POST"])
def watchlist(request, pk: int):
    _require_on_post(request, "alerts.change_watchlist")
    watchlist = _watchlist(request, pk)
    initial = {
        "name": watchlist.name,
        "sources": list(watchlist.sources.all()),
        "email": watchlist.email,
        "email_minutes": watchlist.email_minutes,
        "active": watchlist.active,
    }
    form = WatchlistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.change_watchlist(watchlist, user=request.user, **data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Watchlist saved.")
            return redirect("alerts:watchlist", watchlist.pk)
    return _watchlist_page(request, watchlist, form, WatchTermForm())


def _watchlist_page(request, watchlist: Watchlist, form, term_form, status: int = 200):
    context = {
        "watchlist": watchlist,
        "form": form,
        "term_form": term_form,
        "terms": watchlist.terms.select_related("person"),
        "recent": watchlist.alerts.select_related("source__channel")[:10],
        "can_change": request.user.has_perm("alerts.change_watchlist"),
        "can_delete": request.user.has_perm("alerts.delete_watchlist"),
    }
    return render(request, "alerts/watchlist.html", context, status=status)


@staff_permission_required("alerts.change_watchlist")
@require_POST
def add_term(request, pk: int):
    watchlist = _watchlist(request, pk)
    form = WatchTermForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_watch_term(
                watchlist, user=request.user, kind=data["kind"], value=data["value"], person=data["person"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Added: new lines that say it raise alerts.")
            return redirect("alerts:watchlist", watchlist.pk)
    return _watchlist_page(
        request, watchlist, WatchlistForm(initial={"name": watchlist.name}), form, status=400
    )


@staff_permission_required("alerts.change_watchlist")
@require_POST
def remove_term(request, pk: int, term: int):
    watchlist = _watchlist(request, pk)
    actions.remove_watch_term(get_object_or_404(WatchTerm, pk=term, watchlist=watchlist), user=request.user)
    messages.success(request, "Removed.")
    return redirect("alerts:watchlist", watchlist.pk)


@staff_permission_required("alerts.delete_watchlist")
@require_POST
def delete_watchlist(request, pk: int):
    watchlist = _watchlist(request, pk)
    actions.delete_watchlist(watchlist, user=request.user)
    messages.success(request, f"Watchlist “{watchlist.name}” deleted, with its alerts.")
    return redirect("alerts:watchlists")


# Searching the recordings -----------------------------------------------------------------------------


@staff_permission_required("alerts.view_liveline")
@require_GET
def search(request):
    form = LiveSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"].strip() or data["lang"] or data["channel"] or data["date"]:
            results = livesearch.search(
                data["q"],
                sources=[s.pk for s in data["channel"]],
                languages=[data["lang"]] if data["lang"] else [],
                day=data["date"],
                hour=data["hour"],
                sort=data["sort"] or "date",
                page=data["page"] or 1,
            )
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "results": results, "params": params.urlencode()}
    return render(
        request, "alerts/search.html", context, status=400 if form.is_bound and form.errors else 200
    )
