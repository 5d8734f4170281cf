"""The donate page, the provider's webhook, and the offline provider's demo checkout."""

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clipdesk.ratelimits import RateLimited, client_ip

from . import actions
from .forms import DonateForm
from .models import Donation
from .providers import InvalidEvent, InvalidSignature, ProviderUnavailable, get_provider
from .providers.offline import OfflineProvider

log = logging.getLogger(__name__)


def form_may_go_to_checkout(view):
    """Let the page's form follow the redirect to the provider's checkout (CSP form-action).

    Browsers check form-action against each redirect after a form is sent, so with the site-wide
    'self' alone the 303 to a hosted checkout (Stripe's) is blocked and the donor is left on a blank
    page. Only the donate page gets the provider's origins.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origins = list(get_provider().checkout_origins)
        if origins:
            response._csp_update = {"form-action": origins}  # django-csp's per-response update
        return response

    return wrapped


@require_http_methods(["GET", "POST"])
@form_may_go_to_checkout
def donate(request):
    provider = get_provider()
    form = DonateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if form.is_spam:  # look like success so the bot learns nothing; nothing is stored
                return redirect("donations:thanks")
            data = form.cleaned_data
            try:
                _, checkout = actions.start_donation(
                    kind=data["kind"],
                    amount_minor=data["amount_minor"],
                    currency=data["currency"],
                    email=data["email"],
                    ip=client_ip(request),
                    provider=provider,
                )
            except RateLimited as exc:
                form.add_error(None, str(exc))
                status = 429
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            except ProviderUnavailable:
                form.add_error(
                    None,
                    "The payment service cannot be reached just now. Nothing was charged; please try again later.",
                )
                status = 503
            else:
                response = HttpResponseRedirect(checkout.url)
                response.status_code = 303  # "see other": the browser follows with a GET
                return response
    context = {"form": form, "provider": provider, "contact_email": settings.CLIPDESK_CONTACT_EMAIL}
    return render(request, "donations/donate.html", context, status=status)


@require_GET
def thanks(request):
    return render(request, "donations/thanks.html", {"contact_email": settings.CLIPDESK_CONTACT_EMAIL})


@require_GET
def cancelled(request):
    return render(request, "donations/cancelled.html", {"contact_email": settings.CLIPDESK_CONTACT_EMAIL})


@csrf_exempt  # the provider cannot send a CSRF token; the signature is what authenticates it
@require_POST
def webhook(request):
    try:
        actions.receive_event(request.body, request.headers)
    except (InvalidSignature, InvalidEvent) as exc:
        log.warning("webhook refused: %s", exc)
        return HttpResponseBadRequest(
            "Refused: the signature or the event is not valid.", content_type="text/plain"
        )
    return HttpResponse("OK", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def offline_checkout(request, reference):
    """The demo's checkout page; it exists only while the offline provider is configured."""
    provider = get_provider()
    if not isinstance(provider, OfflineProvider):
        raise Http404("There is no demo checkout on this site.")
    donation = get_object_or_404(Donation, reference=reference, provider=provider.name)
    if request.method == "POST" and donation.status == Donation.Status.PENDING:
        paid = request.POST.get("outcome") == "pay"
        body, headers = provider.demo_delivery(
            reference=str(donation.reference),
            kind=donation.kind,
            amount_minor=donation.amount_minor,
            currency=donation.currency,
            email=donation.email,
            paid=paid,
        )
        actions.receive_event(body, headers, provider=provider)
        return redirect("donations:thanks" if paid else "donations:cancelled")
    return render(request, "donations/offline_checkout.html", {"donation": donation})
