"""The admin pages of watchlists (with their terms and channels) and alerts (read-only, filtered by
watchlist, channel and day): they render, a term is checked as on the watchlist's page, and a monitor
sees only their own there too."""

import datetime as dt

import pytest

from alerts.conftest import AIR, store
from clipdesk.alerts import actions
from clipdesk.alerts.models import Alert, Watchlist, WatchTerm
from factories.archive import UserFactory

pytestmark = pytest.mark.django_db
ADMIN = "/staff/admin/alerts"


@pytest.fixture
def alerted(monitor, source, other_source):
    """Two watchlists of the monitor, with an alert each on two channels and two days."""
    truce = actions.create_watchlist(user=monitor, name="Truce", sources=[source])
    actions.add_watch_term(truce, user=monitor, kind=WatchTerm.Kind.TERM, value="truce")
    war = actions.create_watchlist(user=monitor, name="War")
    actions.add_watch_term(war, user=monitor, kind=WatchTerm.Kind.TERM, value="war")
    store(source, (AIR, "the truce holds", {"language": "en"}))
    store(other_source, (AIR + dt.timedelta(days=1), "the war goes on", {"language": "en"}))
    assert Alert.objects.count() == 2
    return truce, war


def management(prefix: str, total: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def superuser(client):
    user = UserFactory(username="chief", is_superuser=True)
    client.force_login(user)
    return user


def test_watchlist_pages_render_with_terms_and_channels(client, superuser, alerted, source):
    truce, _ = alerted
    listing = client.get(f"{ADMIN}/watchlist/")
    assert listing.status_code == 200 and listing.context["cl"].result_count == 2
    page = client.get(f"{ADMIN}/watchlist/{truce.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="terms-0-value"' in text and 'value="truce"' in text  # the term, inline
    assert 'name="Watchlist_sources-0-channelsource"' in text  # and the channel
    assert f'<option value="{source.pk}" selected>' in text
    assert client.get(f"{ADMIN}/watchlist/add/").status_code == 200


def test_a_watchlist_made_in_the_admin_with_a_term_and_a_channel(client, superuser, monitor, source):
    data = {
        "name": "Ceasefire",
        "owner": str(monitor.pk),
        "active": "on",
        "email": "",
        "email_minutes": "15",
        **management("terms", 1),
        "terms-0-kind": "term",
        "terms-0-value": "ceasefire",
        **management("Watchlist_sources", 1),
        "Watchlist_sources-0-channelsource": str(source.pk),
    }
    response = client.post(f"{ADMIN}/watchlist/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    made = Watchlist.objects.get(name="Ceasefire")
    assert made.owner == monitor and list(made.sources.all()) == [source]
    assert list(made.terms.values_list("kind", "value")) == [("term", "ceasefire")]


@pytest.mark.parametrize(
    ("term", "reason"),
    [
        ({"terms-0-kind": "term", "terms-0-value": "  "}, "The term is empty"),
        ({"terms-0-kind": "search", "terms-0-value": '"unclosed'}, "Not a valid search"),
        ({"terms-0-kind": "name"}, "Choose the person or organisation"),
    ],
)
def test_a_bad_term_is_refused_in_the_admin_too(client, superuser, monitor, term, reason):
    data = {
        "name": "Bad",
        "owner": str(monitor.pk),
        "email_minutes": "15",
        **management("terms", 1),
        **term,
        **management("Watchlist_sources"),
    }
    response = client.post(f"{ADMIN}/watchlist/add/", data)
    assert response.status_code == 200 and reason in response.content.decode()
    assert not Watchlist.objects.filter(name="Bad").exists()


def test_alerts_are_read_only_and_filtered_by_watchlist_channel_and_day(client, superuser, alerted, source):
    truce, war = alerted
    listing = client.get(f"{ADMIN}/alert/")
    assert listing.status_code == 200 and listing.context["cl"].result_count == 2
    assert "Add alert" not in listing.content.decode()

    def count(query: dict) -> int:
        response = client.get(f"{ADMIN}/alert/", query)
        assert response.status_code == 200
        return response.context["cl"].result_count

    assert count({"watchlist__id__exact": truce.pk}) == 1
    assert count({"source__id__exact": source.pk}) == 1
    assert count({"air_time__year": "2026", "air_time__month": "3", "air_time__day": "3"}) == 1
    assert count({"air_time__year": "2026", "air_time__month": "3", "air_time__day": "4"}) == 0
    alert = Alert.objects.get(watchlist=war)
    page = client.get(f"{ADMIN}/alert/{alert.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "the war goes on" in text and 'name="_save"' not in text
    assert client.get(f"{ADMIN}/alert/add/").status_code == 403
    assert client.post(f"{ADMIN}/alert/{alert.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Alert.objects.filter(pk=alert.pk).exists()


def test_a_monitor_sees_only_their_own_in_the_admin(client, roles, alerted):
    truce, _ = alerted
    other = roles["monitor"]
    mine = actions.create_watchlist(user=other, name="Mine")
    client.force_login(other)
    listing = client.get(f"{ADMIN}/watchlist/")
    assert listing.status_code == 200 and [w.pk for w in listing.context["cl"].result_list] == [mine.pk]
    assert client.get(f"{ADMIN}/watchlist/{truce.pk}/change/").status_code == 302  # "does not exist"
    assert client.get(f"{ADMIN}/alert/").context["cl"].result_count == 0
    text = client.get(f"{ADMIN}/alert/").content.decode()
    assert "Truce" not in text and "War" not in text  # not even as a filter's choice
    # A monitor's new watchlist is their own; they choose no owner.
    data = {
        "name": "Also mine",
        "email_minutes": "15",
        **management("terms"),
        **management("Watchlist_sources"),
    }
    assert "owner" not in client.get(f"{ADMIN}/watchlist/add/").context["adminform"].form.fields
    assert client.post(f"{ADMIN}/watchlist/add/", data).status_code == 302
    assert Watchlist.objects.get(name="Also mine").owner == other
