"""The gates on staff pages: staff only (others go to the staff sign-in), and, for pages of a role,
the permissions the role matrix gives (a staff user without them gets 403)."""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied


def staff_required(view):
    return staff_member_required(view, login_url="accounts:login")


def staff_permission_required(*perms: str):
    """Staff only, holding every one of `perms` (accounts.roles gives them to roles), else 403."""

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return staff_required(checked)

    return decorator
