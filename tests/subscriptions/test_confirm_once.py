"""A confirmation link works once: it cannot bring back an address whose owner deleted their data,
re-activate one who unsubscribed since, or tell anyone whether an address is subscribed."""

import pytest
from django.urls import reverse

from clipdesk.subscriptions import actions, tokens
from clipdesk.subscriptions.models import Subscriber

from .conftest import path_of

pytestmark = pytest.mark.django_db

USED = "This link has already been used or is no longer valid"


@pytest.fixture
def ask(client, smtp, django_capture_on_commit_callbacks):
    """Request a subscription through the form; return the path of the confirmation link mailed."""

    def ask(email: str = "reader@example.org") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/subscribe/", {"frequency": "daily", "email": email, "query": "ceasefire"})
        [link] = [url for url in smtp.received[-1].links() if "/subscribe/confirm/" in url]
        return path_of(link)

    return ask


def test_a_confirmation_link_works_once(client, ask):
    link = ask()
    assert client.post(link).status_code == 200
    subscriber = Subscriber.objects.get()
    again = client.post(link)
    assert again.status_code == 400 and USED in again.content.decode()
    assert client.get(link).status_code == 400
    assert Subscriber.objects.get().pk == subscriber.pk


def test_an_old_link_does_not_bring_back_deleted_data(client, ask):
    link = ask()
    client.post(link)
    subscriber = Subscriber.objects.get()
    client.post(reverse("subscriptions:delete", args=[tokens.manage_token(subscriber)]))
    assert not Subscriber.objects.exists()

    replay = client.post(link)
    assert replay.status_code == 400 and USED in replay.content.decode()
    assert not Subscriber.objects.exists()


def test_a_link_sent_before_an_unsubscribe_does_not_undo_it(client, ask):
    first, second = ask(), ask()
    client.post(first)
    subscriber = Subscriber.objects.get()
    actions.unsubscribe(subscriber)

    stale = client.post(second)
    assert stale.status_code == 400 and USED in stale.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    # A link asked for after the unsubscribe works: the owner has just shown they want mail again.
    client.post(ask())
    subscriber.refresh_from_db()
    assert subscriber.status == "active"


def test_a_spent_link_says_the_same_whoever_the_address_belongs_to(client, ask):
    kept, gone = ask("kept@example.org"), ask("gone@example.org")
    client.post(kept)
    client.post(gone)
    actions.delete_subscriber(Subscriber.objects.get(email="gone@example.org"))
    answers = {client.post(link).content.decode() for link in (kept, gone)}
    assert len(answers) == 1 and USED in answers.pop()
