"""The "check your email" pages say where the email went when the site only prints mail (development)."""

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def notice(response) -> str | None:
    found = BeautifulSoup(response.content, "html.parser").select_one(".dev-mail-notice")
    return found.get_text(" ", strip=True) if found else None


@pytest.mark.parametrize(
    ("backend", "told"),
    [(CONSOLE, True), (SMTP, False), ("django.core.mail.backends.locmem.EmailBackend", False)],
)
def test_the_request_confirmation_page(client, settings, backend, told):
    settings.EMAIL_BACKEND = backend
    response = client.get("/requests/sent/")
    assert response.status_code == 200
    if told:
        assert "not sent" in notice(response) and "server's log" in notice(response)
    else:
        assert notice(response) is None


@pytest.mark.parametrize("told", [True, False])
def test_the_subscription_check_your_inbox_page(client, settings, shared_cache, request, told):
    if told:
        settings.EMAIL_BACKEND = CONSOLE
    else:
        request.getfixturevalue("mailbox")  # production: SMTP, here to a real server on loopback
    response = client.post(
        "/subscribe/", {"email": "ana@example.org", "query": "ceasefire", "frequency": "daily"}
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    if told:
        assert "not sent" in notice(response) and "server's log" in notice(response)
    else:
        assert notice(response) is None
