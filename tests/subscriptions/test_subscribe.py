"""Subscribing: the form, double opt-in through a real SMTP server, and what cannot be learned from it."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client, override_settings
from django.urls import reverse

from clipdesk.subscriptions.models import OutboxMessage, Subscriber
from factories.archive import ChannelFactory, ClipFactory, PersonFactory, TopicFactory
from factories.subscriptions import SubscriberFactory

from .conftest import path_of

pytestmark = pytest.mark.django_db

URL = "/subscribe/"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def choices():
    """A topic, person, organisation and channel of a published clip: only those are offered."""
    chosen = {
        "topic": TopicFactory(name="Hizbullah"),
        "person": PersonFactory(name="Ibrahim Al-Amine"),
        "organisation": PersonFactory(name="Al-Akhbar", kind="organisation"),
        "channel": ChannelFactory(name="Al-Manar TV"),
    }
    clip = ClipFactory(channel=chosen["channel"], published=True)
    clip.topics.add(chosen["topic"])
    clip.people.add(chosen["person"], chosen["organisation"])
    return chosen


def subscribe(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, {"frequency": "daily", **data})


def confirm_link(received) -> str:
    [link] = [url for url in received.links() if "/subscribe/confirm/" in url]
    return link


def test_the_subscribe_page_is_this_apps_and_offers_every_kind_of_follow(client, choices):
    assert reverse("subscriptions:subscribe") == URL
    response = client.get(URL)
    assert response.status_code == 200
    page = soup(response)
    form = page.select_one("form.subscribe-form")
    assert form.find("input", {"name": "csrfmiddlewaretoken"})
    values = {(i["name"], i.get("value")) for i in form.find_all("input") if i.get("type") == "checkbox"}
    assert {
        ("topics", "hizbullah"),
        ("people", "ibrahim-al-amine"),
        ("organisations", "al-akhbar"),
        ("channels", "al-manar-tv"),
    } <= values
    assert {i["value"] for i in form.find_all("input", {"name": "frequency"})} == {"daily", "weekly"}
    assert form.find("input", {"name": "query"})
    honeypot = form.find("input", {"name": "website"})
    assert honeypot.find_parent("div", attrs={"hidden": True})


def test_links_can_preselect_what_to_follow(client, choices):
    page = soup(
        client.get(
            URL, {"topic": "hizbullah", "person": "al-akhbar", "q": "ceasefire", "frequency": "weekly"}
        )
    )
    checked = {(i["name"], i["value"]) for i in page.find_all("input", checked=True)}
    assert ("topics", "hizbullah") in checked and ("organisations", "al-akhbar") in checked
    assert ("frequency", "weekly") in checked and ("people", "ibrahim-al-amine") not in checked
    assert page.find("input", {"name": "query"})["value"] == "ceasefire"


def test_double_opt_in_sends_only_a_confirmation_whose_link_subscribes(
    client, smtp, choices, django_capture_on_commit_callbacks
):
    response = subscribe(
        client,
        django_capture_on_commit_callbacks,
        email=" Reader@Example.org ",
        topics=["hizbullah"],
        people=["ibrahim-al-amine"],
        organisations=["al-akhbar"],
        channels=["al-manar-tv"],
        query="  rocket   launches ",
        frequency="weekly",
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert not Subscriber.objects.exists()  # nothing is kept about an address until it confirms

    [received] = smtp.received
    assert received.rcpt_tos == ["reader@example.org"]
    assert received["To"] == "reader@example.org"
    assert received["From"] == "digests@clips.example.org"
    assert received["Subject"].startswith("Confirm your subscription")
    assert received["Message-ID"] == OutboxMessage.objects.get().message_id
    assert received["List-Unsubscribe"] is None  # not a list message
    for part in (received.text, received.html):
        assert "Hizbullah" in part and "Ibrahim Al-Amine" in part and "Al-Akhbar" in part
        assert "Al-Manar TV" in part and "rocket launches" in part and "weekly" in part
    assert confirm_link(received) in received.text

    link = path_of(confirm_link(received))
    page = client.get(link)  # opening the link changes nothing: mail scanners open links too
    assert page.status_code == 200 and not Subscriber.objects.exists()
    assert soup(page).select_one("form[method=post] button")

    done = client.post(link)
    assert done.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org" and subscriber.frequency == "weekly"
    assert subscriber.status == "active"
    assert [t.name for t in subscriber.topics.all()] == ["Hizbullah"]
    assert sorted(p.name for p in subscriber.people.all()) == ["Al-Akhbar", "Ibrahim Al-Amine"]
    assert [c.name for c in subscriber.channels.all()] == ["Al-Manar TV"]
    assert [s.query for s in subscriber.searches.all()] == ["rocket launches"]
    manage = soup(done).find("a", string=lambda s: s and "Change what you follow" in s)["href"]
    assert client.get(manage).status_code == 200

    assert client.post(link).status_code == 400  # a link works once (see test_confirm_once)
    assert Subscriber.objects.count() == 1 and subscriber.topics.count() == 1
    assert len(smtp.received) == 1


def test_same_answer_whether_or_not_the_address_is_subscribed(
    client, smtp, choices, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="known@example.org", topics=[choices["topic"]])
    known = subscribe(
        client, django_capture_on_commit_callbacks, email="known@example.org", channels=["al-manar-tv"]
    )
    unknown = subscribe(
        client, django_capture_on_commit_callbacks, email="new@example.org", channels=["al-manar-tv"]
    )

    def body(response):
        return soup(response).select_one("main").get_text().replace("known@", "X@").replace("new@", "X@")

    assert known.status_code == unknown.status_code == 200
    assert body(known) == body(unknown)
    assert [m.rcpt_tos for m in smtp.received] == [["known@example.org"], ["new@example.org"]]
    # Only the mailbox's owner learns that it is subscribed: its confirmation links to its preferences.
    known_mail, new_mail = smtp.received
    assert any("/subscriptions/" in link for link in known_mail.links())
    assert not any("/subscriptions/" in link for link in new_mail.links())
    for link in known_mail.links() | new_mail.links():
        assert Client().get(path_of(link)).status_code == 200, link


def test_confirming_adds_to_an_existing_subscription_without_resending_old_clips(
    client, smtp, choices, django_capture_on_commit_callbacks
):
    subscriber = SubscriberFactory(email="known@example.org", topics=[choices["topic"]], last_sequence=7)
    subscribe(client, django_capture_on_commit_callbacks, email="known@example.org", channels=["al-manar-tv"])
    client.post(path_of(confirm_link(smtp.received[0])))
    subscriber.refresh_from_db()
    assert {t.name for t in subscriber.topics.all()} == {"Hizbullah"}
    assert {c.name for c in subscriber.channels.all()} == {"Al-Manar TV"}
    assert subscriber.last_sequence == 7  # an active subscription keeps its place in the log


def test_an_altered_or_expired_confirmation_link_does_nothing(
    client, smtp, choices, django_capture_on_commit_callbacks, settings
):
    subscribe(client, django_capture_on_commit_callbacks, email="reader@example.org", topics=["hizbullah"])
    link = path_of(confirm_link(smtp.received[0]))
    tampered = link.replace("/confirm/", "/confirm/x")
    assert client.post(tampered).status_code == 400
    settings.CLIPDESK_CONFIRM_MAX_AGE = -1  # every link is older than that
    response = client.post(link)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_invalid_input_keeps_what_was_typed_with_clear_messages(client, smtp, choices):
    response = client.post(URL, {"email": "not-an-address", "frequency": "daily", "query": "gaza <b>"})
    assert response.status_code == 200
    page = soup(response)
    text = page.get_text()
    assert "Enter a valid email address" in text
    assert (
        "Choose at least one topic, person, organisation, channel or search" not in text
    )  # the query counts
    assert page.find("input", {"name": "email"})["value"] == "not-an-address"
    assert page.find("input", {"name": "query"})["value"] == "gaza <b>"
    assert 'value="gaza &lt;b&gt;"' in response.content.decode()  # escaped as it is kept

    response = client.post(URL, {"email": "a@example.org", "frequency": "daily"})
    assert "Choose at least one topic, person, organisation, channel or search" in soup(response).get_text()
    assert soup(response).find("input", {"name": "email"})["value"] == "a@example.org"
    assert not smtp.received and not OutboxMessage.objects.exists()


def test_the_honeypot_gets_the_usual_answer_and_no_mail(
    client, smtp, choices, django_capture_on_commit_callbacks
):
    response = subscribe(
        client,
        django_capture_on_commit_callbacks,
        email="bot@example.org",
        topics=["hizbullah"],
        website="http://spam",
    )
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    assert not smtp.received and not OutboxMessage.objects.exists()


def test_csrf_is_required():
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {"email": "a@example.org", "frequency": "daily", "query": "x"})
    assert response.status_code == 403
    page = client.get(URL)
    token = soup(page).find("input", {"name": "csrfmiddlewaretoken"})["value"]
    response = client.post(
        URL, {"email": "a@example.org", "frequency": "daily", "query": "x", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200


@override_settings(CLIPDESK_SUBSCRIBE_ADDRESS_LIMIT="2/d", CLIPDESK_SUBSCRIBE_IP_LIMIT="100/h")
def test_an_address_gets_a_limited_number_of_confirmations(
    client, smtp, choices, django_capture_on_commit_callbacks
):
    for _ in range(4):
        response = subscribe(
            client, django_capture_on_commit_callbacks, email="target@example.org", query="x"
        )
        assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    assert len(smtp.to("target@example.org")) == 2
    subscribe(client, django_capture_on_commit_callbacks, email="TARGET@example.org", query="x")
    assert len(smtp.to("target@example.org")) == 2  # the same mailbox, however it is spelled
    subscribe(client, django_capture_on_commit_callbacks, email="other@example.org", query="x")
    assert len(smtp.to("other@example.org")) == 1


@override_settings(CLIPDESK_SUBSCRIBE_IP_LIMIT="3/h", CLIPDESK_SUBSCRIBE_ADDRESS_LIMIT="100/d")
def test_a_network_gets_a_limited_number_of_attempts(
    client, smtp, choices, django_capture_on_commit_callbacks
):
    for n in range(3):
        assert (
            subscribe(
                client, django_capture_on_commit_callbacks, email=f"r{n}@example.org", query="x"
            ).status_code
            == 200
        )
    response = subscribe(client, django_capture_on_commit_callbacks, email="r9@example.org", query="gaza")
    assert response.status_code == 429
    page = soup(response)
    assert "Too many requests" in page.get_text()
    assert page.find("input", {"name": "email"})["value"] == "r9@example.org"
    assert len(smtp.received) == 3
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert (
        subscribe(other, django_capture_on_commit_callbacks, email="r9@example.org", query="x").status_code
        == 200
    )


@override_settings(CLIPDESK_SUBSCRIBE_IP_LIMIT="1/h", CLIPDESK_TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_a_trusted_proxy_each_client_is_limited(smtp, choices, django_capture_on_commit_callbacks):
    first = Client(HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = Client(HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.2")
    assert (
        subscribe(first, django_capture_on_commit_callbacks, email="a@example.org", query="x").status_code
        == 200
    )
    assert (
        subscribe(first, django_capture_on_commit_callbacks, email="b@example.org", query="x").status_code
        == 429
    )
    assert (
        subscribe(second, django_capture_on_commit_callbacks, email="c@example.org", query="x").status_code
        == 200
    )


@override_settings(CLIPDESK_SUBSCRIBE_IP_LIMIT="1/h", CLIPDESK_TRUSTED_PROXIES=[])
def test_a_client_cannot_escape_the_limit_by_claiming_another_address(
    smtp, choices, django_capture_on_commit_callbacks
):
    first = Client(HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = Client(HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert (
        subscribe(first, django_capture_on_commit_callbacks, email="a@example.org", query="x").status_code
        == 200
    )
    assert (
        subscribe(second, django_capture_on_commit_callbacks, email="b@example.org", query="x").status_code
        == 429
    )


def test_the_limits_are_counted_in_the_shared_database_cache(
    client, smtp, choices, django_capture_on_commit_callbacks
):
    from django.db import connection

    subscribe(client, django_capture_on_commit_callbacks, email="a@example.org", query="x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM clipdesk_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("subscribe-ip" in k for k in keys) and any("subscribe-address" in k for k in keys)
    assert not any("a@example.org" in k or "127.0.0.1" in k for k in keys)  # hashed, not kept in clear


def test_the_limits_hash_addresses_with_a_key(
    client, smtp, choices, django_capture_on_commit_callbacks, settings
):
    """A hash without a key gives the address back to anyone who hashes every IPv4 address (or a
    list of emails) the same way; keyed from SECRET_KEY, the same address gives other keys elsewhere."""
    from django.core.cache import cache
    from django.db import connection

    def limit_keys() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM clipdesk_cache")
            return {row[0] for row in cursor.fetchall() if "subscribe-" in row[0]}

    subscribe(client, django_capture_on_commit_callbacks, email="a@example.org", query="x")
    first = limit_keys()
    cache.clear()
    settings.SECRET_KEY = "another-site-" + "k3y" * 20
    subscribe(client, django_capture_on_commit_callbacks, email="a@example.org", query="x")
    second = limit_keys()
    assert len(first) == len(second) == 2
    assert not first & second


def test_pages_keep_the_strict_content_security_policy(client, choices):
    for response in (client.get(URL), client.post(URL, {"email": "bad"})):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        page = soup(response)
        assert all(script.get("src") and not script.string for script in page.find_all("script"))
        assert not page.find_all("style") and not page.find_all(attrs={"style": True})
        assert not any(attr.startswith("on") for tag in page.find_all(True) for attr in tag.attrs)


def test_the_box_on_a_clip_page_subscribes_to_what_the_clip_is_about(
    client, smtp, choices, rf, django_capture_on_commit_callbacks
):
    from django.template.loader import render_to_string

    clip = ClipFactory(channel=choices["channel"])
    topics, people = [choices["topic"]], [choices["person"], choices["organisation"]]
    html = render_to_string(
        "subscriptions/_subscribe_box.html",
        {"clip": clip, "topics": topics, "people": people},
        request=rf.get(clip.get_absolute_url()),
    )
    form = BeautifulSoup(html, "html.parser").find("form")
    assert form["action"] == URL and form["method"] == "post"
    data: dict[str, list[str]] = {}
    for field in form.find_all("input"):
        kind = field.get("type", "text")
        if kind in {"checkbox", "radio"} and not field.has_attr("checked"):
            continue
        data.setdefault(field["name"], []).append(field.get("value", ""))
    assert data.pop("website") == [""]  # the honeypot is there, empty
    data["email"] = ["reader@example.org"]
    assert data["frequency"] == ["daily"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data)
    assert "Check your inbox" in response.content.decode()
    [received] = smtp.received
    assert "Topics: Hizbullah" in received.text
    assert "People and organisations: Al-Akhbar, Ibrahim Al-Amine" in received.text
    assert "Channels" not in received.text  # offered, not preselected
