"""Staff sign-in: password, then the TOTP code when the account has two-factor turned on."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django_otp import devices_for_user

INVALID_TOKEN = "That authentication code is not valid. Try the current one."


def device_for_code(user, token: str):
    """The user's confirmed device that accepts `token` (spending it), or None. Throttled per device."""
    for device in devices_for_user(user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            return device
    return None


def code_field(required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label="Authentication code",
        required=required,
        help_text=help_text,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class StaffLoginForm(AuthenticationForm):
    otp_token = code_field(
        required=False, help_text="Only if two-factor authentication is on for your account."
    )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        self.otp_device = None
        if not list(devices_for_user(user, confirmed=True)):
            return
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError("Enter the code from your authenticator app.", code="token_required")
        self.otp_device = device_for_code(user, token)
        if self.otp_device is None:
            raise forms.ValidationError(INVALID_TOKEN, code="invalid_token")


class VerifyForm(forms.Form):
    """The code that a session signed in without one must give before it reaches staff pages."""

    otp_token = code_field()

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.otp_device = None

    def clean_otp_token(self) -> str:
        token = self.cleaned_data["otp_token"].strip()
        self.otp_device = device_for_code(self.user, token)
        if self.otp_device is None:
            raise forms.ValidationError(INVALID_TOKEN, code="invalid_token")
        return token


class ConfirmDeviceForm(forms.Form):
    token = forms.CharField(
        label="Code from the app",
        max_length=8,
        error_messages={"required": "Enter the current code from your authenticator app."},
    )
