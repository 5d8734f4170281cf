"""Two-factor and sessions: a session must have shown a code before it reaches staff pages of an account
with two-factor on, turning it off takes a current code, and turning it on signs the account out elsewhere."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from factories.archive import ClipFactory

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/staff/two-factor/"
VERIFY = "/staff/verify/"


@pytest.fixture(autouse=True)
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would otherwise delay the next try by a second


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if code_for(device) != "000000" else "111111"


def turn_on(client, user) -> TOTPDevice:
    client.post(TWO_FACTOR, {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    client.post(TWO_FACTOR, {"action": "confirm", "token": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_turning_two_factor_on_ends_the_accounts_other_sessions(roles):
    publisher = roles["publisher"]
    earlier, current, colleague = Client(), Client(), Client()
    earlier.force_login(publisher)
    colleague.force_login(roles["editor"])
    assert earlier.get("/staff/work/").status_code == 200

    current.force_login(publisher)
    turn_on(current, publisher)

    gone = earlier.get("/staff/work/")
    assert gone.status_code == 302 and gone["Location"].startswith("/staff/login/")
    assert "_auth_user_id" not in earlier.session
    # The session that turned it on stays signed in, verified by the code it just gave.
    assert current.get("/staff/work/").status_code == 200
    assert current.session.get("otp_device_id")
    assert colleague.get("/staff/work/").status_code == 200  # other accounts are left alone


def test_a_session_that_gave_no_code_is_sent_to_verify_before_any_staff_page(client, roles):
    admin = roles["admin"]
    client.force_login(admin)  # signed in before the account had a device
    device = TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    draft = ClipFactory(title="A draft only staff may preview")

    for url in ("/staff/work/", "/desk/", "/staff/admin/", TWO_FACTOR, "/staff/ingest/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{VERIFY}?next="), url
    # Nor does it act as staff on public pages: a draft's preview is not found.
    assert client.get(f"/clips/id:{draft.pk}/").status_code == 404
    # And it cannot turn two-factor off.
    client.post(TWO_FACTOR, {"action": "stop"})
    assert TOTPDevice.objects.filter(user=admin).exists()

    page = client.get(f"{VERIFY}?next=/desk/")
    assert page.status_code == 200 and b"Authentication code" in page.content
    refused = client.post(f"{VERIFY}?next=/desk/", {"otp_token": wrong_code(device)})
    assert refused.status_code == 200 and b"not valid" in refused.content
    assert client.get("/desk/").status_code == 302

    accepted = client.post(f"{VERIFY}?next=/desk/", {"otp_token": code_for(device)})
    assert accepted.status_code == 302 and accepted["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200
    assert client.get("/staff/admin/").status_code == 200
    assert client.get(f"/clips/id:{draft.pk}/").status_code == 200


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/", "\u00b2", "accounts:two-factor"]
)
def test_verify_sends_only_to_a_path_on_this_site(client, roles, elsewhere):
    admin = roles["admin"]
    client.force_login(admin)
    assert client.get(VERIFY, {"next": elsewhere})["Location"] == "/staff/work/"  # no device yet
    device = TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    response = client.post(f"{VERIFY}?{urlencode({'next': elsewhere})}", {"otp_token": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/staff/work/"


def test_staff_without_two_factor_are_not_asked_for_a_code(client, roles):
    client.force_login(roles["editor"])
    assert client.get("/staff/work/").status_code == 200
    assert client.get(VERIFY)["Location"] == "/staff/work/"


def test_turning_two_factor_off_needs_a_current_code(client, roles):
    publisher = roles["publisher"]
    client.force_login(publisher)
    device = turn_on(client, publisher)
    page = client.get(TWO_FACTOR).content.decode()
    assert 'name="token"' in page  # the form to turn it off asks for a code

    without = client.post(TWO_FACTOR, {"action": "stop"})
    assert without.status_code == 200 and b"Enter the current code" in without.content
    wrong = client.post(TWO_FACTOR, {"action": "stop", "token": wrong_code(device)})
    assert wrong.status_code == 200 and b"does not match" in wrong.content
    assert TOTPDevice.objects.filter(user=publisher, confirmed=True).exists()

    # The code that turned it on is spent; the next time step's is current (within the allowed drift).
    right = client.post(TWO_FACTOR, {"action": "stop", "token": code_for(device, offset=1)})
    assert right.status_code == 302
    assert not TOTPDevice.objects.filter(user=publisher).exists()
    assert client.get("/staff/work/").status_code == 200
