"""Staff sign-in with lockout (django-axes) and optional TOTP two-factor for publishers and admins."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from clipdesk.accounts.decorators import staff_required

from . import actions
from .forms import ConfirmDeviceForm, StaffLoginForm, VerifyForm


class StaffLoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


def _qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _next_url(request) -> str:
    """Where `?next=` points if it is a path on this site, else the worklist."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: anything else (a view name, a stray word) would be taken by redirect() as a URL name.
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code page for a session that signed in without one, on an account that has two-factor on
    (see `middleware`); the session is marked verified, under a new key, once it gives one."""
    if request.user.is_verified() or not user_has_device(request.user, confirmed=True):
        return HttpResponseRedirect(_next_url(request))
    form = VerifyForm(request.user, request.POST or None)
    if form.is_bound and form.is_valid():
        request.session.cycle_key()
        otp_login(request, form.otp_device)
        return HttpResponseRedirect(_next_url(request))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@staff_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Turn TOTP on (scan, then confirm a code) or off (with a current code) for a publisher or admin."""
    if not actions.may_use_two_factor(request.user):
        raise PermissionDenied("Two-factor authentication is offered to publishers and admins.")
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    form = ConfirmDeviceForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start" and not confirmed:
            actions.start_two_factor(request.user)
            return redirect("accounts:two-factor")
        if action in ("confirm", "stop") and (pending if action == "confirm" else confirmed):
            form = ConfirmDeviceForm(request.POST)
            try:
                if form.is_valid():
                    token = form.cleaned_data["token"]
                    if action == "confirm":
                        _turn_on(request, token)
                    else:
                        actions.stop_two_factor(request.user, token)
                        messages.success(request, "Two-factor authentication is off.")
                    return redirect("accounts:two-factor")
            except ValidationError as error:
                form.add_error("token", error)
    context = {
        "confirmed": confirmed,
        "pending": pending,
        "form": form,
        "qr": _qr_data_uri(pending.config_url) if pending else None,
        "secret": base64.b32encode(pending.bin_key).decode() if pending else None,
    }
    return render(request, "accounts/two_factor.html", context)


def _turn_on(request, token: str) -> None:
    """Confirm the device, end the user's other sessions, and keep this one, verified, under a new key."""
    device = actions.confirm_two_factor(request.user, token, keep_session=request.session.session_key)
    request.session.cycle_key()
    otp_login(request, device)
    messages.success(
        request,
        "Two-factor authentication is on. You will need a code at every sign-in; "
        "your other sessions have been signed out.",
    )
