"""Staff sign-in: password, then the TOTP code when the account has two-factor turned on."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django_otp import devices_for_user


class StaffLoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Only if two-factor authentication is on for your account.",
    )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        devices = list(devices_for_user(user, confirmed=True))
        self.otp_device = None
        if not devices:
            return
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError("Enter the code from your authenticator app.", code="token_required")
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                self.otp_device = device
                return
        raise forms.ValidationError(
            "That authentication code is not valid. Try the current one.", code="invalid_token"
        )


class ConfirmDeviceForm(forms.Form):
    token = forms.CharField(label="Code from the app", max_length=8)
