"""Public pages of the request desk: the request form, the requester's private status page, and the
"Report a translation error" button under every line of a clip (reports are the desk's data)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from clipdesk.archive.models import Clip
from clipdesk.caching.views import token_or_form
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


THANKS = "Thank you: your report was sent to the desk."


def _report_page(request, number: int, line: int, *, status: int = 200, **context):
    clip = get_object_or_404(Clip.objects.published().select_related("channel"), number=number)
    segment = get_object_or_404(clip.segments.select_related("speaker"), position=line - 1)
    context = {
        "clip": clip,
        "segment": segment,
        "line": line,
        "back": f"{clip.get_absolute_url()}#line-{line}",
        "note": request.POST.get("note", ""),
        "email": request.POST.get("email", ""),
        **context,
    }
    response = render(request, "inquiries/report.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _report_again(request, number: int, line: int):
    """A report posted without a valid CSRF token (the clip page is cached and carries none, and this
    reader's browser ran no script to fetch one): the form again, with what was typed and a token."""
    return _report_page(request, number, line, status=403, confirm=True)


@never_cache
@require_http_methods(["GET", "POST"])
@token_or_form(_report_again)
def report_line(request, number: int, line: int):
    """A reader's "Report a translation error" on one line; it joins the staff desk's queue.

    The form is on the (cached) clip page under every line; the answer is this page, never cached:
    the thanks or the reason, with the form again if it was refused, and the way back to the line.
    """
    if request.method == "GET":
        return _report_page(request, number, line)
    clip = get_object_or_404(Clip.objects.published(), number=number)
    segment = get_object_or_404(clip.segments, position=line - 1)
    if request.POST.get("website"):  # the honeypot: people never see it, simple bots fill it in
        return _report_page(request, number, line, sent=THANKS)
    try:
        actions.report_translation_error(
            segment, request.POST.get("note", ""), request.POST.get("email") or None, ip=client_ip(request)
        )
    except RateLimited as exc:
        return _report_page(request, number, line, status=429, refused=str(exc))
    except ValidationError as exc:
        refused = "Your report was not sent: " + "; ".join(exc.messages)
        return _report_page(request, number, line, status=400, refused=refused)
    return _report_page(request, number, line, sent=THANKS)
