"""The public request form: validation, what a rejected submission keeps, spam protection, CSP."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse

from clipdesk.inquiries.models import Inquiry

pytestmark = pytest.mark.django_db

URL = "/requests/new/"


def valid(**changes) -> dict:
    data = {
        "category": "academia",
        "kind": "research",
        "name": "Dr. Leila Haddad",
        "organisation": "University of Somewhere",
        "email": "leila@example.edu",
        "deadline": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
        "details": "All clips since 2020 in which Ibrahim Al-Amine discusses the port explosion.",
        "website": "",
    }
    data.update(changes)
    return data


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def errors_for(response, field: str) -> str:
    """The error list the field's aria-describedby (or its fieldset's) points to."""
    errors = page(response).select_one(f"#id_{field}_error")
    assert errors is not None, f"no errors shown for {field}"
    assert page(response).select_one(f"[aria-describedby~=id_{field}_error]") is not None
    return errors.get_text(" ")


def test_the_request_route_is_named():
    assert reverse("inquiries:new") == URL


def test_form_page_offers_every_field_and_the_desk_address(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = page(response)
    categories = {i["value"] for i in html.select("input[name=category]")}
    kinds = {i["value"] for i in html.select("input[name=kind]")}
    assert categories == {"media", "government", "academia", "other"}
    assert kinds == {"clip", "research", "expert"}
    for name in ("name", "organisation", "email", "deadline", "details", "csrfmiddlewaretoken"):
        assert html.select_one(f"[name={name}]") is not None, name
    assert html.select_one("[name=deadline]")["type"] == "date"
    honeypot = html.select_one("[name=website]")
    assert honeypot.find_parent("div", attrs={"hidden": True}) is not None
    assert html.select_one("a[href^='mailto:']") is not None


def test_page_keeps_the_strict_csp(client):
    response = client.post(URL, valid(name="<script>alert(1)</script>", email="bad"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    html = page(response)
    assert not html.find_all("script", string=True) and not html.find_all("style")
    assert not html.find_all(attrs={"style": True})
    assert not any(a.startswith("on") for tag in html.find_all(True) for a in tag.attrs)
    assert b"<script>alert(1)" not in response.content
    assert html.select_one("[name=name]")["value"] == "<script>alert(1)</script>"


def test_a_valid_request_is_stored_and_acknowledged(client):
    response = client.post(URL, valid(), REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302 and response["Location"] == reverse("inquiries:sent")
    inquiry = Inquiry.objects.get()
    assert (inquiry.category, inquiry.kind, inquiry.status) == ("academia", "research", "new")
    assert inquiry.name == "Dr. Leila Haddad" and inquiry.email == "leila@example.edu"
    assert inquiry.deadline == dt.date.today() + dt.timedelta(days=10)
    assert "Thank you" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": ""}, "category", "This field is required"),
        ({"category": "lobbyist"}, "category", "Select a valid choice"),
        ({"kind": "gossip"}, "kind", "Select a valid choice"),
        ({"name": ""}, "name", "This field is required"),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"organisation": ""}, "organisation", "Name your organisation"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
        ({"deadline": "2001-01-01"}, "deadline", "The deadline has passed"),
        ({"deadline": "2999-01-01"}, "deadline", "within the next two years"),
        ({"deadline": "next week"}, "deadline", "Enter a valid date"),
        ({"details": "Clip please"}, "details", "at least 20 characters"),
        ({"details": "x" * 5001}, "details", "at most 5000 characters"),
    ],
)
def test_each_field_is_validated_and_the_typed_values_are_kept(client, changes, field, message):
    response = client.post(URL, valid(**changes))
    assert response.status_code == 400
    assert not Inquiry.objects.exists()
    assert message in errors_for(response, field)
    html = page(response)
    assert "Your request was not sent" in html.select_one("[role=alert]").get_text()
    # What the person typed is still there.
    if field != "details":
        assert html.select_one("textarea[name=details]").get_text().strip() == valid(**changes)["details"]
    if field != "email":
        assert html.select_one("[name=email]")["value"] == "leila@example.edu"
    if field not in {"category"}:
        assert html.select_one("input[name=category][checked]")["value"] == valid(**changes)["category"]


def test_other_requesters_need_no_organisation(client):
    response = client.post(URL, valid(category="other", organisation=""))
    assert response.status_code == 302
    assert Inquiry.objects.get().organisation == ""


def test_the_deadline_is_optional(client):
    assert client.post(URL, valid(deadline="")).status_code == 302
    assert Inquiry.objects.get().deadline is None


def test_the_honeypot_looks_like_success_but_stores_and_sends_nothing(
    client, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == reverse("inquiries:sent")
    assert not Inquiry.objects.exists()
    assert mailbox == []


def test_the_form_needs_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, valid()).status_code == 403
    response = client.get(URL)
    token = get_token(response.wsgi_request)
    assert token
    data = valid(csrfmiddlewaretoken=page(response).select_one("[name=csrfmiddlewaretoken]")["value"])
    assert client.post(URL, data).status_code == 302


def test_requests_are_rate_limited_per_ip(client, settings):
    settings.CLIPDESK_REQUEST_IP_LIMIT = "2/h"
    for n in range(2):
        response = client.post(URL, valid(email=f"person{n}@example.com"), REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 302
    refused = client.post(URL, valid(email="person9@example.com"), REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429
    assert "try again later" in page(refused).select_one("[role=alert]").get_text()
    assert page(refused).select_one("[name=email]")["value"] == "person9@example.com"
    assert Inquiry.objects.count() == 2
    # Another address is not held back.
    assert client.post(URL, valid(email="other@example.com"), REMOTE_ADDR="198.51.100.8").status_code == 302


def test_requests_are_rate_limited_per_email_address(client, settings):
    settings.CLIPDESK_REQUEST_ADDRESS_LIMIT = "1/d"
    assert client.post(URL, valid(), REMOTE_ADDR="203.0.113.1").status_code == 302
    # The same address from elsewhere, in other letter case, counts as the same sender.
    refused = client.post(URL, valid(email="LEILA@example.edu"), REMOTE_ADDR="203.0.113.2")
    assert refused.status_code == 429
    assert Inquiry.objects.count() == 1


def test_rate_limit_counts_live_in_the_shared_cache_hashed(client, settings):
    from django.db import connection

    settings.CLIPDESK_REQUEST_IP_LIMIT = "5/h"
    client.post(URL, valid(), REMOTE_ADDR="198.51.100.99")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM clipdesk_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("request-ip" in key for key in keys)
    assert not any("198.51.100.99" in key or "leila@" in key for key in keys)


def test_limits_are_written_count_per_unit():
    from clipdesk.ratelimits import parse

    assert parse("10/h") == (10, 3600) and parse(" 5/d ") == (5, 86400) and parse("3/m") == (3, 60)
    for bad in ("ten/h", "10", "10/w", ""):
        with pytest.raises(ValueError, match="looks like"):
            parse(bad)
