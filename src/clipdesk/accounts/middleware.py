"""Two-factor in force: an account with a device counts as signed in only in a session that gave a code.

A session may have been opened before its account turned two-factor on (or by the admin's "log in as"
tools, or with a password alone in some other way). Such a session is sent to the code page before
any staff page (/staff/, /desk/, the admin), and public pages treat it as a reader's, so that it sees
no drafts either. Installed after django-otp's OTPMiddleware, which tells whether a session is verified.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp import user_has_device

STAFF_PREFIXES = ("/staff/", "/desk/")
OPEN_URLS = ("accounts:login", "accounts:logout", "accounts:verify")


def awaiting_code(user) -> bool:
    """Signed in to an account with two-factor on, in a session that has not given a code."""
    return user.is_authenticated and not user.is_verified() and user_has_device(user, confirmed=True)


def _as_reader(user):
    if not awaiting_code(user):
        return user
    reader = AnonymousUser()
    reader.otp_device = None
    reader.is_verified = lambda: False
    return reader


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path in {reverse(name) for name in OPEN_URLS}:
            return self.get_response(request)
        if path.startswith(STAFF_PREFIXES):
            if awaiting_code(request.user):
                return redirect_to_login(request.get_full_path(), "accounts:verify")
        else:
            user = request.user  # still lazy: public pages that never look at it stay cacheable
            request.user = SimpleLazyObject(lambda: _as_reader(user))
        return self.get_response(request)
