"""Public subscription pages. Signed links stand in for a login: see `tokens`.

Links in email are opened by mail scanners as well as by people, so following one never changes
anything: the page it opens has a button, and the button's POST does the change.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clipdesk.caching.views import token_or_form
from clipdesk.ratelimits import allowed, client_ip

from . import actions, tokens
from .forms import PreferencesForm, SubscribeForm

TOO_MANY = "Too many requests from your network. Please try again in an hour."


def _invalid(request, error: tokens.InvalidLink, status: int = 404):
    return render(request, "subscriptions/invalid_link.html", {"error": str(error)}, status=status)


def with_subscriber(view):
    """Resolve the signed link in the URL to its subscriber, or answer that the link is not valid."""

    @wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        try:
            subscriber = tokens.read_manage_token(token)
        except tokens.InvalidLink as error:
            return _invalid(request, error)
        return view(request, subscriber, token, *args, **kwargs)

    return never_cache(wrapper)


def _subscribe_again(request):
    """A subscription posted without a valid CSRF token (from the box on a cached clip page, by a
    browser that ran no script to fetch one): the full form, filled in as posted, with a token."""
    context = {
        "form": SubscribeForm(request.POST),
        "confirm": True,
        "contact_email": settings.CLIPDESK_CONTACT_EMAIL,
    }
    return render(request, "subscriptions/subscribe.html", context, status=403)


@require_http_methods(["GET", "POST"])
@token_or_form(_subscribe_again)
def subscribe(request):
    status = 200
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if not allowed("subscribe-ip", client_ip(request), settings.CLIPDESK_SUBSCRIBE_IP_LIMIT):
            form.is_valid()  # keep what was typed, with field errors if any
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            email = form.cleaned_data["email"]
            # Bots and repeated requests get the same answer as everyone, and no mail.
            if not form.is_bot and allowed(
                "subscribe-address", email, settings.CLIPDESK_SUBSCRIBE_ADDRESS_LIMIT
            ):
                actions.request_subscription(email=email, **form.follows())
            return render(request, "subscriptions/sent.html", {"email": email})
    else:
        form = SubscribeForm(initial=SubscribeForm.initial_from_query(request.GET))
    context = {"form": form, "contact_email": settings.CLIPDESK_CONTACT_EMAIL}
    return render(request, "subscriptions/subscribe.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    try:
        subscription = tokens.read_confirmation(token)
    except tokens.InvalidLink as error:
        return _invalid(request, error, status=400)
    if request.method == "POST":
        try:
            subscriber = actions.confirm_subscription(token)
        except tokens.InvalidLink as error:  # used by another request since it was read
            return _invalid(request, error, status=400)
        manage_url = reverse("subscriptions:manage", args=[tokens.manage_token(subscriber)])
        return render(
            request, "subscriptions/confirmed.html", {"subscriber": subscriber, "manage_url": manage_url}
        )
    context = {"subscription": subscription, "follows": actions.follows_of(subscription)}
    return render(request, "subscriptions/confirm.html", context)


@with_subscriber
@require_http_methods(["GET", "POST"])
def manage(request, subscriber, token: str):
    form = PreferencesForm.for_subscriber(subscriber, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        actions.update_preferences(subscriber, **form.follows())
        return redirect(reverse("subscriptions:manage", args=[token]) + "?saved=1")
    context = {"subscriber": subscriber, "form": form, "token": token, "saved": "saved" in request.GET}
    return render(request, "subscriptions/manage.html", context)


CHANGES = {"pause": actions.pause, "resume": actions.resume, "resubscribe": actions.resubscribe}


@with_subscriber
@require_POST
def change(request, subscriber, token: str, change: str):
    CHANGES[change](subscriber)
    return redirect("subscriptions:manage", token=token)


@with_subscriber
@require_http_methods(["GET", "POST"])
def delete(request, subscriber, token: str):
    if request.method == "POST":
        actions.delete_subscriber(subscriber)
        return render(request, "subscriptions/deleted.html")
    return render(request, "subscriptions/delete.html", {"subscriber": subscriber, "token": token})


@csrf_exempt  # RFC 8058: mail clients POST here without cookies; the signed link is the authority
@with_subscriber
@require_http_methods(["GET", "POST"])
def unsubscribe(request, subscriber, token: str):
    if request.method == "POST":
        subscriber = actions.unsubscribe(subscriber)
        return render(request, "subscriptions/unsubscribed.html", {"subscriber": subscriber, "token": token})
    return render(request, "subscriptions/unsubscribe.html", {"subscriber": subscriber, "token": token})
