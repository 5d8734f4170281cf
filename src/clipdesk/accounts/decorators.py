"""The gate on every staff page: staff only, others go to the staff sign-in."""

from django.contrib.admin.views.decorators import staff_member_required


def staff_required(view):
    return staff_member_required(view, login_url="accounts:login")
