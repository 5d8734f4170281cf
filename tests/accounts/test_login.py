"""Staff sign-in: lockout after repeated failures, and TOTP two-factor for publishers and admins."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

LOGIN = "/staff/login/"


@pytest.fixture
def publisher(roles):
    user = roles["publisher"]
    user.set_password("correct horse battery")
    user.save()
    return user


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_password_sign_in_and_admin_uses_the_same_form(client, publisher):
    assert client.get("/staff/admin/login/").status_code == 200
    response = client.post(
        LOGIN, {"username": "publisher", "password": "correct horse battery", "next": "/staff/work/"}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/work/"
    assert client.get("/staff/work/").status_code == 200


def test_repeated_failures_lock_the_account_from_that_address(client, publisher, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(LOGIN, {"username": "publisher", "password": "wrong"})
    assert response.status_code == 429
    locked = client.post(LOGIN, {"username": "publisher", "password": "correct horse battery"})
    assert locked.status_code == 429 and b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in client.session
    other_address = client.post(
        LOGIN, {"username": "publisher", "password": "correct horse battery"}, REMOTE_ADDR="192.0.2.44"
    )
    assert other_address.status_code == 302


def test_two_factor_set_up_then_required_at_sign_in(client, publisher, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would otherwise delay the next try by a second
    client.force_login(publisher)
    client.post("/staff/two-factor/", {"action": "start"})
    device = TOTPDevice.objects.get(user=publisher)
    assert not device.confirmed
    page = client.get("/staff/two-factor/").content.decode()
    assert "data:image/svg+xml;base64," in page
    wrong = client.post(
        "/staff/two-factor/",
        {"action": "confirm", "token": "000000" if code_for(device) != "000000" else "111111"},
    )
    assert b"does not match" in wrong.content
    client.post("/staff/two-factor/", {"action": "confirm", "token": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.logout()

    without = client.post(LOGIN, {"username": "publisher", "password": "correct horse battery"})
    assert without.status_code == 200 and b"Enter the code from your authenticator app" in without.content
    wrong_code = client.post(
        LOGIN, {"username": "publisher", "password": "correct horse battery", "otp_token": "12345"}
    )
    assert b"not valid" in wrong_code.content
    device.refresh_from_db()
    # A code is good only once, so sign in with the next time step's (within the allowed drift).
    with_code = client.post(
        LOGIN,
        {
            "username": "publisher",
            "password": "correct horse battery",
            "otp_token": code_for(device, offset=1),
        },
    )
    assert with_code.status_code == 302
    assert client.session.get("otp_device_id") == device.persistent_id


def test_two_factor_is_offered_to_publishers_and_admins_only(client, roles):
    client.force_login(roles["translator"])
    assert client.get("/staff/two-factor/").status_code == 403
    client.force_login(roles["admin"])
    assert client.get("/staff/two-factor/").status_code == 200
    client.logout()
    assert client.get("/staff/two-factor/").status_code == 302
