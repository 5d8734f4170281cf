"""Both engines find the same clips for the same queries, on one shared archive.

It needs both engines, so it runs in the PostgreSQL pass of `make test`; the tantivy engine reads the
same documents from the same database.
"""

import datetime as dt

import pytest

from clipdesk.archive.models import Person
from clipdesk.search.backends.postgres import PostgresBackend
from clipdesk.search.backends.tantivy import TantivyBackend
from clipdesk.search.documents import load_documents
from clipdesk.search.interfaces import PUBLIC, STAFF, Filters, SearchRequest
from clipdesk.search.services import prepare

from .conftest import make_channel, make_person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.on_postgres,
]

QUERIES = [
    "peace",
    "talks",
    "talking",
    "negotiations",
    "peace talks",
    '"peace talks"',
    '"talks are over"',
    "peace -sanctions",
    "-peace",
    "drones OR missiles",
    "negotiat*",
    '"will not negotiat*"',
    "mis* OR dro*",
    '"the resistance is"',
    "Hezbollah",
    "Hizbullah",
    "Nasrallah",
    "speaker:Nasrallah",
    "speaker:Nasrallah peace",
    "speaker:host -welcome",
    'speaker:"Hassan Nasrallah" talks',
    "channel:manar",
    'channel:"press tv" drones',
    "lang:fa",
    "lang:ar talks",
    "احمد",
    "أحمد",
    "كتب",
    "المفاوضات",
    "مفاوضات",  # stemmed in Python: the article and the plural
    "والمفاوضات",
    "ايران",
    '"انتهت المفاوضات"',
    "sanctions oil war",
    "2021",
    "covid19",
    "the",
    "زمان*",
]


@pytest.fixture
def shared_archive(make_clip):
    manar, press = make_channel("Al-Manar TV", "Lebanon"), make_channel("Press TV", "Iran", "fa")
    nasrallah = make_person("Hassan Nasrallah", "Nasrallah")
    hizbullah = make_person("Hizbullah", "Hezbollah", kind=Person.Kind.ORGANISATION)
    make_clip(
        "Peace talks in Beirut",
        [
            ("Host", "Welcome to the programme.", "أهلا بكم في البرنامج"),
            ("Hassan Nasrallah", "The talks are over; the resistance is ready.", "انتهت المفاوضات"),
            ("Hassan Nasrallah", "We will not negotiate while the sanctions last.", "كَتَبَ أحمد"),
        ],
        channel=manar, topics=["Lebanon"], people=[hizbullah], speakers={"Hassan Nasrallah": nasrallah},
    )  # fmt: skip
    make_clip(
        "Missiles and drones",
        [("Reporter", "The drones were shown in 2021.", "پهپادها در زمان جنگ"), ("Commander", "Oil and war.", "ایران")],
        channel=press, language="fa", topics=["Iran"], aired_on=dt.date(2022, 3, 1),
    )  # fmt: skip
    make_clip(
        "A sermon on peace", [("Preacher", "Talking about peace is not enough.", "احمد كتب")], channel=manar
    )
    make_clip(
        "Hezbollah parade",
        [("Announcer", "The parade passed; covid19 rules were ignored.", "")],
        channel=manar,
    )
    make_clip(
        "Draft on negotiations", [("Host", "Peace talks, not yet public.", "")], channel=manar, publish=False
    )


def test_the_engines_find_the_same_clips(shared_archive, tmp_path):
    postgres = PostgresBackend()
    tantivy = TantivyBackend(tmp_path)
    tantivy.rebuild(load_documents())
    checked = 0
    for text in QUERIES:
        _, query, _ = prepare(text)
        for statuses in (PUBLIC, STAFF):
            for filters in (Filters(), Filters(channel=("al-manar-tv",)), Filters(lang=("fa",))):
                request = SearchRequest(query, filters=filters, statuses=statuses, limit=50, facets=True)
                ours, theirs = postgres.search(request), tantivy.search(request)
                assert {h.clip_id for h in ours.clips} == {h.clip_id for h in theirs.clips}, (
                    text,
                    statuses,
                    filters,
                )
                assert ours.total == theirs.total, text
                assert ours.facets == theirs.facets, text
                checked += bool(ours.clips)
    assert checked > len(QUERIES)  # most queries find something: the agreement is not about empty results


def test_the_engines_know_the_same_words(shared_archive, tmp_path):
    """ "Did you mean" asks each engine which words published clips say: they answer alike."""
    tantivy = TantivyBackend(tmp_path)
    tantivy.rebuild(load_documents())
    words = ["peace", "talks", "talk", "negotiations", "negotiate", "المفاوضات", "ايران", "nasrallah", "zzz"]
    ours, theirs = PostgresBackend().known_words(words), tantivy.known_words(words)
    assert ours == theirs
    assert ours["peace"] == 2 and "negotiations" not in ours  # only the draft says it
