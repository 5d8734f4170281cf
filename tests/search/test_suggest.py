""" "Did you mean": a search that finds nothing suggests the nearest words the index holds."""

import pytest

from clipdesk.archive import actions as archive_actions
from clipdesk.search.querylang import parse
from clipdesk.search.services import search
from clipdesk.search.suggest import edits, suggestion

from .conftest import make_channel, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(make_clip):
    nasrallah = make_person("Hassan Nasrallah", "Nasrallah")
    manar = make_channel("Al-Manar TV")
    talks = make_clip(
        "Peace talks in Beirut",
        [("Hassan Nasrallah", "We will not negotiate with them.", "انتهت المفاوضات")],
        channel=manar,
        speakers={"Hassan Nasrallah": nasrallah},
    )
    make_clip("Negotiations in Cairo", [("Host", "The negotiators met again.", "")], channel=manar)
    make_clip("Secret draft", [("Host", "A classified memorandum.", "")], channel=manar, publish=False)
    return talks


def test_a_misspelled_word_suggests_the_word_in_the_index(archive):
    results = search("negotiatte")
    assert results.clips == []
    assert results.suggestion == "negotiate"
    assert search(results.suggestion).clips  # the suggestion finds something


def test_names_and_arabic_are_corrected_and_the_rest_of_the_query_is_kept(archive):
    assert search("Nasralah peace").suggestion == "Nasrallah peace"
    assert search("المفاوضت").suggestion == "المفاوضات"


def test_no_suggestion_when_something_is_found_or_nothing_is_near(archive):
    assert search("negotiate").suggestion is None
    assert search("zzzzqqq").suggestion is None


def test_unpublished_and_withdrawn_words_are_never_suggested(archive, committed):
    assert search("memorandun").suggestion is None  # only a draft says "memorandum"
    with committed():
        archive_actions.withdraw_clip(archive, user=None, reason="Test")
    assert search("negotiatte").suggestion is None  # only the withdrawn clip said "negotiate"


def test_edits_are_one_letter_away():
    assert {"talks", "tlaks", "tals", "taks"} <= edits("talks") | {"talks"}
    assert "حرارة" not in edits("حراره")  # normalized letters only
    assert (
        suggestion("tolks", parse("tolks"), lambda words: {"talks": 3} if "talks" in words else {}) == "talks"
    )
