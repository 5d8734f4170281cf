"""channel: with a name that two channels share ("Channel 1" of Egypt and of Iran)."""

import pytest

from clipdesk.archive.models import Channel, make_slug
from clipdesk.search.interfaces import Filters
from clipdesk.search.services import search

pytestmark = pytest.mark.django_db


def _channel(country: str) -> Channel:
    return Channel.objects.create(
        name="Channel 1", country=country, slug=make_slug(f"Channel 1 {country}"), language="ar"
    )


def test_a_shared_channel_name_searches_every_channel_of_that_name_and_says_so(make_clip):
    egypt = make_clip("Prices in Cairo", [("Host", "Prices will rise.", "")], channel=_channel("Egypt"))
    iran = make_clip("Prices in Tehran", [("Host", "Prices will fall.", "")], channel=_channel("Iran"))
    results = search('channel:"Channel 1" prices')
    assert {r.clip.pk for r in results.clips} == {egypt.pk, iran.pk}
    assert any(
        'channel:"Channel 1" names 2 channels' in note and "Channel 1 (Egypt), Channel 1 (Iran)" in note
        for note in results.notes
    ), results.notes
    narrowed = search('channel:"Channel 1" prices', filters=Filters(country=("Iran",)))
    assert [r.clip.pk for r in narrowed.clips] == [iran.pk]


def test_a_name_of_one_channel_has_no_note(make_clip):
    make_clip("Prices in Cairo", [("Host", "Prices will rise.", "")], channel=_channel("Egypt"))
    assert not any("channels" in note for note in search('channel:"Channel 1" prices').notes)
