"""Public pages of the request desk: the request form and the requester's private status page."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from clipdesk.ratelimits import RateLimited, client_ip

from . import actions
from .forms import RequestForm
from .models import Inquiry


@require_http_methods(["GET", "POST"])
def new_request(request):
    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if form.is_spam:  # look like success so the bot learns nothing; nothing is stored or sent
                return redirect("inquiries:sent")
            fields = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            try:
                actions.submit_request(**fields, ip=client_ip(request))
            except RateLimited as exc:
                form.add_error(None, str(exc))
                status = 429
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("inquiries:sent")
    context = {"form": form, "contact_email": settings.CLIPDESK_CONTACT_EMAIL}
    return render(request, "inquiries/request_form.html", context, status=status)


@require_GET
def request_sent(request):
    return render(request, "inquiries/request_sent.html", {"contact_email": settings.CLIPDESK_CONTACT_EMAIL})


@never_cache
@require_GET
def request_status(request, token: str):
    """What the requester sees through their private link: status, messages and result, never staff names."""
    try:
        inquiry = Inquiry.objects.select_related("result_clip").by_status_token(token)
    except Inquiry.DoesNotExist:
        raise Http404("No request has this status link.") from None
    result_clip = inquiry.result_clip if inquiry.result_clip and inquiry.result_clip.is_public else None
    context = {
        "inquiry": inquiry,
        "timeline": inquiry.timeline(),
        "result_clip": result_clip,
        "contact_email": settings.CLIPDESK_CONTACT_EMAIL,
    }
    response = render(request, "inquiries/request_status.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"  # the address is the secret: never pass it on
    return response
