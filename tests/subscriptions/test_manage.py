"""The preferences page behind the signed link in every email: follow, frequency, pause, delete."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from clipdesk.subscriptions import actions, tokens
from clipdesk.subscriptions.models import OutboxMessage, PublicationEvent, SavedSearch, Subscriber
from factories.archive import ChannelFactory, ClipFactory, PersonFactory, TopicFactory
from factories.subscriptions import SubscriberFactory, publish

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def reader():
    return SubscriberFactory(
        email="reader@example.org",
        topics=[TopicFactory(name="Hizbullah")],
        people=[PersonFactory(name="Al-Akhbar", kind="organisation")],
        searches=["rockets", "ceasefire"],
    )


def url(name: str, subscriber) -> str:
    return reverse(f"subscriptions:{name}", args=[tokens.manage_token(subscriber)])


def test_the_page_shows_what_is_followed(client, reader):
    TopicFactory(name="Iran")
    response = client.get(url("manage", reader))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = soup(response)
    checked = {(i["name"], i["value"]) for i in page.find_all("input", checked=True)}
    assert checked == {
        ("frequency", "daily"),
        ("topics", "hizbullah"),
        ("organisations", "al-akhbar"),
        ("searches", "ceasefire"),
        ("searches", "rockets"),
    }
    assert "reader@example.org" in page.get_text() and "active" in page.get_text()


def test_changing_what_to_follow_and_how_often(client, reader):
    ClipFactory(channel=ChannelFactory(name="Al-Manar TV"), published=True)  # so the channel is offered
    response = client.post(
        url("manage", reader),
        {
            "frequency": "weekly",
            "channels": ["al-manar-tv"],
            "searches": ["rockets"],
            "query": " new  words ",
        },
    )
    assert response.status_code == 302
    assert "saved" in soup(client.get(response["Location"])).get_text()
    reader.refresh_from_db()
    assert reader.frequency == "weekly"
    assert not reader.topics.exists() and not reader.people.exists()
    assert [c.name for c in reader.channels.all()] == ["Al-Manar TV"]
    assert sorted(s.query for s in reader.searches.all()) == ["new words", "rockets"]


def test_following_nothing_is_refused_with_a_pointer_to_unsubscribe(client, reader):
    response = client.post(url("manage", reader), {"frequency": "daily"})
    assert response.status_code == 200
    assert "To stop all email, unsubscribe instead" in soup(response).get_text()
    assert reader.topics.count() == 1


def test_pause_and_resume(client, reader, smtp):
    topic = reader.topics.get()
    assert client.post(url("pause", reader)).status_code == 302
    reader.refresh_from_db()
    assert reader.status == "paused"
    clip = ClipFactory()
    clip.topics.add(topic)
    publish(clip)
    assert actions.send_digests("daily").subscribers == 0
    client.post(url("resume", reader))
    reader.refresh_from_db()
    assert reader.status == "active"
    assert (
        reader.last_sequence == PublicationEvent.objects.high_mark()
    )  # what came out while paused stays out
    assert actions.send_digests("daily").written == 0 and not smtp.received


def test_pausing_and_deleting_need_a_post_with_csrf(reader):
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(url("pause", reader)).status_code == 405
    assert browser.post(url("pause", reader)).status_code == 403
    assert browser.post(url("delete", reader)).status_code == 403
    assert browser.post(url("manage", reader), {"frequency": "weekly", "query": "x"}).status_code == 403
    reader.refresh_from_db()
    assert reader.status == "active" and reader.frequency == "daily"


def test_resubscribing_after_unsubscribing(client, reader):
    actions.unsubscribe(reader)
    page = soup(client.get(url("manage", reader)))
    assert "unsubscribed" in page.get_text()
    assert client.post(url("resubscribe", reader)).status_code == 302
    reader.refresh_from_db()
    assert reader.status == "active" and reader.unsubscribed_at is None


def test_deleting_all_data(client, reader, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/subscribe/", {"email": "reader@example.org", "frequency": "daily", "query": "x"})
    assert OutboxMessage.objects.filter(to_email="reader@example.org").exists()
    delete = url("delete", reader)
    assert client.get(delete).status_code == 200 and Subscriber.objects.exists()
    response = client.post(delete)
    assert response.status_code == 200 and "deleted" in soup(response).get_text()
    assert not Subscriber.objects.exists() and not SavedSearch.objects.exists()
    assert not OutboxMessage.objects.filter(to_email="reader@example.org").exists()
    assert client.get(url("manage", reader)).status_code == 404  # the link died with the data


def test_altered_and_revoked_links_are_refused(client, reader):
    good = url("manage", reader)
    assert client.get(good[:-3] + "xx/").status_code == 404
    other = SubscriberFactory()
    forged = reverse("subscriptions:manage", args=[tokens.manage_token_for(other.pk, reader.key)])
    assert client.get(forged).status_code == 404
    Subscriber.objects.filter(pk=reader.pk).update(key="a-new-key")
    response = client.get(good)
    assert response.status_code == 404 and "no longer valid" in response.content.decode()
    reader.refresh_from_db()
    assert client.post(url("unsubscribe", reader)).status_code == 200  # with the current key it works


def test_pages_keep_the_strict_content_security_policy(client, reader):
    for name in ("manage", "delete", "unsubscribe"):
        response = client.get(url(name, reader))
        page = soup(response)
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert not page.find_all("style") and not page.find_all(attrs={"style": True})
        assert all(script.get("src") for script in page.find_all("script"))
        assert not any(attr.startswith("on") for tag in page.find_all(True) for attr in tag.attrs)
