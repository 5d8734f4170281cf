"""Every public page is the same for every anonymous reader and sets no cookie, so that one copy can be
served to all of them; the forms on the clip page work without a token in the page."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from clipdesk.inquiries.models import TranslationReport
from clipdesk.subscriptions.models import PendingConfirmation

from .conftest import public_urls

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("cache", ["on", "off"])
def test_each_public_page_is_the_same_for_two_anonymous_readers_and_sets_no_cookie(
    archive, page_cache, settings, cache
):
    settings.CLIPDESK_PAGE_CACHE = cache == "on"
    for name, url in public_urls(archive).items():
        one, two = Client(), Client()
        first, second = one.get(url), two.get(url)
        assert first.status_code == second.status_code == 200, (name, url, first.status_code)
        assert body(first) == body(second), name
        for response in (first, second):
            assert not response.cookies, (name, response.cookies)
            assert "Set-Cookie" not in response, name
            assert response["Cache-Control"].startswith("public"), (name, response["Cache-Control"])
        assert not one.cookies and not two.cookies, name


def test_the_clip_page_has_no_token_and_shows_no_message(archive, client):
    client.post("/subscribe/", {})  # leaves a message-free session, as any form could
    page = client.get(archive["first"].get_absolute_url()).content.decode()
    assert "csrfmiddlewaretoken" not in page
    soup = BeautifulSoup(page, "html.parser")
    assert soup.select(".messages") == []
    forms = soup.select("form[method=post]")
    assert forms and all(form["data-csrf"] == "/csrf/" for form in forms)


def test_the_token_comes_from_an_uncached_endpoint(client):
    response = client.get("/csrf/")
    assert response.json()["token"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "csrftoken" in response.cookies


def test_a_report_with_a_fetched_token_is_sent(archive):
    reader = Client(enforce_csrf_checks=True)
    token = reader.get("/csrf/").json()["token"]
    url = f"/clips/{archive['first'].number}/lines/2/report/"
    response = reader.post(url, {"note": "Wrong verb.", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "Thank you: your report was sent to the desk." in response.content.decode()
    assert TranslationReport.objects.get().note == "Wrong verb."
    assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_a_report_without_a_token_shows_the_form_again_with_one_then_sends(archive):
    """A reader without JavaScript: the cached page's form has no token; the answer is the form, filled in."""
    reader = Client(enforce_csrf_checks=True)
    url = f"/clips/{archive['first'].number}/lines/2/report/"
    again = reader.post(url, {"note": "Wrong verb.", "email": ""})
    assert again.status_code == 403
    form = BeautifulSoup(again.content, "html.parser").select_one(f'form[action="{url}"]')
    assert form.select_one("textarea").get_text() == "Wrong verb."
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]
    assert not TranslationReport.objects.exists()
    sent = reader.post(url, {"note": "Wrong verb.", "csrfmiddlewaretoken": token})
    assert "your report was sent" in sent.content.decode()
    assert TranslationReport.objects.count() == 1


def test_a_subscription_without_a_token_shows_the_form_again_filled_in(archive, shared_cache):
    reader = Client(enforce_csrf_checks=True)
    topic = archive["topic"]
    again = reader.post(
        "/subscribe/", {"email": "reader@example.org", "topics": [topic.slug], "frequency": "weekly"}
    )
    assert again.status_code == 403
    page = BeautifulSoup(again.content, "html.parser")
    assert page.select_one("input[name=email]")["value"] == "reader@example.org"
    assert page.select_one(f"input[name=topics][value={topic.slug}]").has_attr("checked")
    token = page.select_one("input[name=csrfmiddlewaretoken]")["value"]
    assert not PendingConfirmation.objects.exists()
    done = reader.post(
        "/subscribe/",
        {
            "email": "reader@example.org",
            "topics": [topic.slug],
            "frequency": "weekly",
            "csrfmiddlewaretoken": token,
        },
    )
    assert done.status_code == 200
    assert PendingConfirmation.objects.count() == 1  # the confirmation link is on its way


def test_a_wrong_token_is_not_taken(archive):
    reader = Client(enforce_csrf_checks=True)
    reader.get("/csrf/")
    url = f"/clips/{archive['first'].number}/lines/2/report/"
    response = reader.post(url, {"note": "x", "csrfmiddlewaretoken": "A" * 64})
    assert response.status_code == 403
    assert not TranslationReport.objects.exists()
