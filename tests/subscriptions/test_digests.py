"""Digests as a reader receives them from a real SMTP server: who gets what, every part, every link."""

import datetime as dt

import pytest
from django.test import Client

from clipdesk.archive.actions import withdraw_clip
from clipdesk.media.models import MediaAsset
from clipdesk.subscriptions import actions
from clipdesk.subscriptions.models import OutboxMessage, Subscriber
from factories.archive import ChannelFactory, ClipFactory, PersonFactory, TopicFactory
from factories.subscriptions import PartialIndex, SubscriberFactory, publish
from factories.transcripts import SegmentFactory, SpeakerFactory

from .conftest import BASE_URL, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def hizbullah():
    return TopicFactory(name="Hizbullah")


@pytest.fixture
def al_manar():
    return ChannelFactory(name="Al-Manar TV", country="Lebanon")


def clip_about(topic, **fields):
    clip = ClipFactory(**fields)
    clip.topics.add(topic)
    return publish(clip)


def test_a_digest_lists_each_new_clip_with_both_parts_and_list_headers(smtp, hizbullah, al_manar):
    reader = SubscriberFactory(email="reader@example.org", topics=[hizbullah])
    clip = clip_about(
        hizbullah,
        title="Journalist Ibrahim Al-Amine: We Are Ready",
        summary="Lebanese journalist Ibrahim Al-Amine said <b>that</b> the resistance is ready.",
        channel=al_manar,
        aired_on=dt.date(2021, 5, 28),
    )
    asset = MediaAsset.objects.create(
        clip=clip,
        file="clips/ab/x.mp4",
        sha256="ab" * 32,
        mime_type="video/mp4",
        poster="clips/ab/poster.jpg",
    )
    publish(title="Unrelated clip")

    report = actions.send_digests("daily")

    assert (report.written, report.clips, report.delivery.sent) == (1, 1, 1)
    [received] = smtp.received
    outbox = OutboxMessage.objects.get(kind="digest")
    assert received.rcpt_tos == ["reader@example.org"] and received["To"] == "reader@example.org"
    assert received["From"] == "digests@clips.example.org"
    assert received["Subject"] == "clipdesk daily digest: 1 new clip"
    assert received["Message-ID"] == outbox.message_id and outbox.message_id.endswith("@clips.example.org>")
    unsubscribe_url = received.unsubscribe_url
    assert unsubscribe_url.startswith(f"{BASE_URL}/subscriptions/") and unsubscribe_url.endswith(
        "/unsubscribe/"
    )
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in received.message.iter_parts()] == ["text/plain", "text/html"]

    clip_url = f"{BASE_URL}{clip.get_absolute_url()}"
    text = received.text
    assert f"#{clip.number} Journalist Ibrahim Al-Amine: We Are Ready" in text
    assert "Source: Al-Manar TV (Lebanon) | May 28, 2021" in text
    assert "said <b>that</b> the resistance" in " ".join(text.split())  # plain text is not HTML-escaped
    assert clip_url in text and "Unrelated" not in text
    assert f"Unsubscribe: {unsubscribe_url}" in text

    html = received.soup
    assert html.find("h2").get_text() == "Journalist Ibrahim Al-Amine: We Are Ready"
    assert html.find("h2").a["href"] == clip_url
    assert f"#{clip.number} | 02:33 | Al-Manar TV (Lebanon) | May 28, 2021" in html.get_text()
    assert "said <b>that</b> the resistance" in html.get_text() and not html.find("b")  # escaped in HTML
    poster = getattr(asset, "poster_url", None) or asset.poster.url
    assert html.find("img")["src"] == f"{BASE_URL}{poster}"
    assert html.find("a", string="Unsubscribe")["href"] == unsubscribe_url
    reader.refresh_from_db()
    assert reader.last_digest_at is not None and reader.last_sequence == outbox.last_sequence


def test_every_link_in_a_digest_works(smtp, hizbullah):
    SubscriberFactory(topics=[hizbullah])
    clip_about(hizbullah)
    actions.send_digests("daily")
    [received] = smtp.received
    links = received.links()
    assert len(links) >= 4  # the clip, the archive, preferences, unsubscribe
    browser = Client()
    for link in links:
        response = browser.get(path_of(link))
        assert response.status_code == 200, (link, response.status_code)


def test_one_click_unsubscribe_takes_effect_at_once(smtp, hizbullah):
    reader = SubscriberFactory(topics=[hizbullah])
    clip_about(hizbullah)
    actions.send_digests("daily")
    unsubscribe_url = smtp.received[0].unsubscribe_url

    # RFC 8058: the mail client POSTs this body with no cookies and no CSRF token.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        path_of(unsubscribe_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"

    clip_about(hizbullah)
    report = actions.send_digests("daily")
    assert report.subscribers == 0 and len(smtp.received) == 1


def test_the_visible_unsubscribe_link_asks_before_it_acts(smtp, hizbullah, client):
    reader = SubscriberFactory(topics=[hizbullah])
    clip_about(hizbullah)
    actions.send_digests("daily")
    link = smtp.received[0].soup.find("a", string="Unsubscribe")["href"]
    page = client.get(path_of(link))
    assert page.status_code == 200 and b'<form method="post">' in page.content
    reader.refresh_from_db()
    assert reader.status == "active"  # opening the link alone changes nothing
    client.post(path_of(link))
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"


def test_nothing_is_sent_when_nothing_is_new(smtp, hizbullah):
    reader = SubscriberFactory(topics=[hizbullah])
    publish(title="Not followed")
    report = actions.send_digests("daily")
    assert report.subscribers == 1 and report.written == 0 and report.nothing_new == 1
    assert not smtp.received and not OutboxMessage.objects.exists()
    reader.refresh_from_db()
    assert reader.last_digest_at is None

    clip_about(hizbullah)
    assert actions.send_digests("daily").written == 1
    assert actions.send_digests("daily").written == 0  # the same clip is not sent twice
    assert len(smtp.received) == 1


def test_people_organisations_topics_and_channels_are_followed(smtp, hizbullah, al_manar):
    speaker, linked, org = (
        PersonFactory(name="Al-Amine"),
        PersonFactory(name="Nasrallah"),
        PersonFactory(name="Al-Akhbar", kind="organisation"),
    )
    follows_speaker = SubscriberFactory(email="speaker@example.org", people=[speaker])
    follows_linked = SubscriberFactory(email="linked@example.org", people=[linked])
    follows_org = SubscriberFactory(email="org@example.org", people=[org])
    follows_channel = SubscriberFactory(email="channel@example.org", channels=[al_manar])
    follows_all = SubscriberFactory(
        email="all@example.org", topics=[hizbullah], people=[speaker, org], channels=[al_manar]
    )

    spoken = ClipFactory(title="Speaker clip")
    SpeakerFactory(clip=spoken, person=speaker, label="Al-Amine")
    publish(spoken)
    mentioned = ClipFactory(title="Linked clip")
    mentioned.people.add(linked, org)
    publish(mentioned)
    on_channel = publish(title="Channel clip", channel=al_manar)
    about = clip_about(hizbullah, title="Topic clip")

    actions.send_digests("daily")

    def titles(subscriber):
        [received] = smtp.to(subscriber.email)
        return {h2.get_text() for h2 in received.soup.find_all("h2")}

    assert titles(follows_speaker) == {"Speaker clip"}
    assert titles(follows_linked) == {"Linked clip"}
    assert titles(follows_org) == {"Linked clip"}
    assert titles(follows_channel) == {"Channel clip"}
    assert titles(follows_all) == {"Speaker clip", "Linked clip", "Channel clip", "Topic clip"}
    [received] = smtp.to("all@example.org")  # newest first, each clip once
    assert [h2.get_text() for h2 in received.soup.find_all("h2")] == [
        "Topic clip",
        "Channel clip",
        "Linked clip",
        "Speaker clip",
    ]
    assert received["Subject"].endswith("4 new clips")
    assert on_channel.number and about.number


def test_only_clips_published_since_the_last_digest_and_still_public(smtp, hizbullah):
    before = clip_about(hizbullah, title="Before subscribing")
    SubscriberFactory(topics=[hizbullah])
    kept = clip_about(hizbullah, title="Kept")
    gone = clip_about(hizbullah, title="Withdrawn")
    withdraw_clip(gone, user=None, reason="Mistranslated")
    actions.send_digests("daily")
    [received] = smtp.received
    titles = [h2.get_text() for h2 in received.soup.find_all("h2")]
    assert titles == ["Kept"] and before.number and kept.number


def test_daily_and_weekly_subscribers_get_their_own_runs(smtp, hizbullah):
    daily = SubscriberFactory(email="daily@example.org", topics=[hizbullah])
    weekly = SubscriberFactory(email="weekly@example.org", topics=[hizbullah], frequency="weekly")
    clip_about(hizbullah, title="Monday")
    actions.send_digests("daily")
    clip_about(hizbullah, title="Tuesday")
    actions.send_digests("daily")
    assert len(smtp.to(daily.email)) == 2 and not smtp.to(weekly.email)
    actions.send_digests("weekly")
    [received] = smtp.to(weekly.email)
    assert received["Subject"] == "clipdesk weekly digest: 2 new clips"
    assert "weekly digest" in received.text


def test_unconfirmed_paused_and_rejected_addresses_get_nothing(smtp, hizbullah):
    SubscriberFactory(email="unconfirmed@example.org", topics=[hizbullah], confirmed_at=None)
    paused = SubscriberFactory(email="paused@example.org", topics=[hizbullah])
    actions.pause(paused)
    SubscriberFactory(
        email="rejected@example.org", topics=[hizbullah], bounced_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    active = SubscriberFactory(email="active@example.org", topics=[hizbullah])
    clip_about(hizbullah)
    report = actions.send_digests("daily")
    assert report.subscribers == 1
    assert [m.rcpt_tos for m in smtp.received] == [[active.email]]


def test_saved_searches_find_words_in_title_summary_and_transcript(smtp):
    reader = SubscriberFactory(searches=["ceasefire gaza"])
    in_title = publish(title="Ceasefire talks in Gaza", summary="")
    in_text = ClipFactory(title="Interview", summary="About Gaza.")
    SegmentFactory(clip=in_text, english_text="There will be no ceasefire.")
    publish(in_text)
    publish(title="Ceasefire in the north", summary="Nothing else.")  # one word only
    actions.send_digests("daily")
    [received] = smtp.to(reader.email)
    assert {h2.get_text() for h2 in received.soup.find_all("h2")} == {in_title.title, "Interview"}


def test_saved_searches_wait_for_clips_the_index_has_not_reached(smtp, settings):
    settings.CLIPDESK_SAVED_SEARCH_BACKEND = "factories.subscriptions.PartialIndex"
    topic = TopicFactory()
    searcher = SubscriberFactory(email="searcher@example.org", searches=["rockets"])
    follower = SubscriberFactory(email="follower@example.org", topics=[topic])
    first = publish(title="Rockets one")
    late = publish(title="Rockets two")
    late.topics.add(topic)
    PartialIndex.pending = {late.pk}
    try:
        actions.send_digests("daily")
        [received] = smtp.to(searcher.email)
        assert [h2.get_text() for h2 in received.soup.find_all("h2")] == [first.title]
        assert len(smtp.to(follower.email)) == 1  # topics do not wait for the search index
        PartialIndex.pending = set()
        actions.send_digests("daily")
    finally:
        PartialIndex.pending = set()
    second = smtp.to(searcher.email)[1]
    assert [h2.get_text() for h2 in second.soup.find_all("h2")] == [late.title]
    assert len(smtp.to(follower.email)) == 1


def test_a_subscriber_who_changes_frequency_misses_nothing_and_gets_nothing_twice(smtp, hizbullah, client):
    reader = SubscriberFactory(topics=[hizbullah], frequency="weekly")
    clip_about(hizbullah, title="One")
    actions.update_preferences(
        reader, frequency="daily", topics=[hizbullah], people=[], channels=[], queries=[]
    )
    actions.send_digests("weekly")
    actions.send_digests("daily")
    clip_about(hizbullah, title="Two")
    actions.send_digests("daily")
    titles = [[h2.get_text() for h2 in m.soup.find_all("h2")] for m in smtp.received]
    assert titles == [["One"], ["Two"]]


def test_user_text_is_escaped_in_the_html_part(smtp, hizbullah):
    SubscriberFactory(topics=[hizbullah])
    clip_about(hizbullah, title="<script>alert(1)</script>", summary="<img src=x onerror=alert(1)>")
    actions.send_digests("daily")
    html = smtp.received[0].html
    assert "<script>alert" not in html and "<img src=x" not in html and "&lt;script&gt;" in html


def test_a_deleted_subscriber_is_not_found_by_later_runs(smtp, hizbullah):
    reader = SubscriberFactory(topics=[hizbullah])
    clip_about(hizbullah)
    actions.send_digests("daily")
    actions.delete_subscriber(reader)
    assert not Subscriber.objects.exists() and not OutboxMessage.objects.exists()
    clip_about(hizbullah)
    assert actions.send_digests("daily").subscribers == 0
