"""Staff sign-in with lockout (django-axes) and optional TOTP two-factor for publishers and admins."""

import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from clipdesk.accounts.decorators import staff_required

from .forms import ConfirmDeviceForm, StaffLoginForm

TWO_FACTOR_ROLES = {"publisher", "admin"}


class StaffLoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


def may_use_two_factor(user) -> bool:
    return user.is_superuser or user.groups.filter(name__in=TWO_FACTOR_ROLES).exists()


def _qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@staff_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Turn TOTP on (scan, then confirm a code) or off for the signed-in publisher or admin."""
    if not may_use_two_factor(request.user):
        raise PermissionDenied("Two-factor authentication is offered to publishers and admins.")
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    form = ConfirmDeviceForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start" and not confirmed:
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
            return redirect("accounts:two-factor")
        if action == "confirm" and pending:
            form = ConfirmDeviceForm(request.POST)
            if form.is_valid() and pending.verify_token(form.cleaned_data["token"].strip()):
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
                otp_login(request, pending)
                messages.success(
                    request, "Two-factor authentication is on. You will need a code at every sign-in."
                )
                return redirect("accounts:two-factor")
            form.add_error(
                "token", "That code does not match. Check the time on your phone and try the current code."
            )
        if action == "stop" and confirmed:
            TOTPDevice.objects.filter(user=request.user).delete()
            messages.success(request, "Two-factor authentication is off.")
            return redirect("accounts:two-factor")
    context = {
        "confirmed": confirmed,
        "pending": pending,
        "form": form,
        "qr": _qr_data_uri(pending.config_url) if pending else None,
        "secret": base64.b32encode(pending.bin_key).decode() if pending else None,
    }
    return render(request, "accounts/two_factor.html", context)
