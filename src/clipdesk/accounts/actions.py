"""Named actions for a staff account's two-factor authentication.

Each runs in one transaction and leaves an entry in the account's admin history. Turning two-factor on
ends the account's other sessions, since any of them may be the one an intruder holds; turning it off
takes a current code, so that a session alone (a stolen cookie) cannot remove it.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import device_for_code
from .sessions import end_other_sessions

TWO_FACTOR_ROLES = {"publisher", "admin"}
WRONG_CODE = "That code does not match. Check the time on your phone and try the current code."


def may_use_two_factor(user) -> bool:
    return user.is_superuser or user.groups.filter(name__in=TWO_FACTOR_ROLES).exists()


def _require(user) -> None:
    if not may_use_two_factor(user):
        raise PermissionDenied("Two-factor authentication is offered to publishers and admins.")


def _log(user, message: str) -> None:
    LogEntry.objects.log_actions(user.pk, [user], CHANGE, change_message=message, single_object=True)


def start_two_factor(user) -> TOTPDevice:
    """A new, unconfirmed device for the user to scan; any earlier unconfirmed one is dropped."""
    _require(user)
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError("Two-factor authentication is already on.")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def confirm_two_factor(user, token: str, *, keep_session: str | None) -> TOTPDevice:
    """Turn two-factor on with a code from the new device, and end every session of the user but
    `keep_session` (the caller's, which it then marks verified)."""
    _require(user)
    # Checked before the transaction: a wrong code counts towards the device's throttle, which a
    # rollback would undo.
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        raise ValidationError(WRONG_CODE, code="invalid_token")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        ended = end_other_sessions(user, keep=keep_session)
        _log(user, f"Turned two-factor authentication on; signed out of {ended} other session(s).")
    return device


def stop_two_factor(user, token: str) -> None:
    """Turn two-factor off, which takes a current code from the device."""
    _require(user)
    if device_for_code(user, token.strip()) is None:  # outside the transaction, as in confirm_two_factor
        raise ValidationError(WRONG_CODE, code="invalid_token")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        _log(user, "Turned two-factor authentication off.")
