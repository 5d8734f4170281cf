"""Watch terms against live lines, as the matcher reads them: across languages, normalized, with
the matched word's own air time."""

import datetime as dt

import pytest

from clipdesk.alerts.matching import Line, compile_term, match_query

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def line(text, english="", language="ar", words=()):
    return Line(
        id=1, start=START, language=language, text=text, english=english, words=words, channel="Al-Manar TV"
    )


def hit(kind, value, target, names=()):
    return match_query(compile_term(kind, value, names).query, target)


def test_an_english_term_matches_an_arabic_line_through_its_english_draft():
    arabic = line("أعلن وقف إطلاق النار في غزة", english="A ceasefire was announced in Gaza")
    found = hit("term", "ceasefire", arabic)
    assert found is not None and found.in_original is None  # found in the draft, which has no word times
    assert hit("term", "ceasefires", arabic) is not None  # English words match any form
    assert hit("term", "ceasefire", line("أعلن وقف إطلاق النار في غزة")) is None  # no draft, no match


def test_an_arabic_term_matches_the_original_normalized_and_stemmed():
    vowelled = line("وَالحَرارَةُ مُرْتَفِعَةٌ فِي بَيْرُوت", english="and the heat is high in Beirut")
    assert hit("term", "حرارة", vowelled) is not None  # harakat, the article and و, teh marbuta
    assert hit("term", "احمد", line("قال أحمد")) is not None  # alef forms fold
    # An Arabic word never matches the English draft.
    assert hit("term", "بيروت", line("the heat", english="in Beirut", language="en")) is None


def test_the_air_time_is_the_matched_words_own():
    words = [
        [0, 500, "قال", 0.9],
        [600, 1200, "الرئيس", 0.9],
        [1300, 2000, "إن", 0.9],
        [2100, 2600, "الهدنة", 0.9],
    ]
    target = line("قال الرئيس إن الهدنة", english="The president said the truce", words=words)
    found = hit("term", "هدنة", target)
    assert found is not None and found.in_original == 3
    assert target.moment(found.in_original) == START + dt.timedelta(milliseconds=2100)
    assert target.moment(None) == START


@pytest.mark.django_db
def test_phrases_names_and_searches():
    target = line("قال حسن نصر الله إن المقاومة", english="Hassan Nasrallah said the resistance")
    assert hit("phrase", "said the resistance", target) is not None
    assert hit("phrase", "the said resistance", target) is None
    # A person is watched by every one of their names.
    assert hit(
        "name",
        "Hassan Nasrallah",
        line("نصر الله", english="Nasrallah spoke"),
        ["Hassan Nasrallah", "Nasrallah"],
    )
    assert (
        hit(
            "name",
            "Hassan Nasrallah",
            line("كلام", english="someone spoke"),
            ["Hassan Nasrallah", "Nasrallah"],
        )
        is None
    )
    assert hit("search", "resistance -truce lang:ar", target) is not None
    assert hit("search", "resistance -Nasrallah", target) is None
    assert hit("search", "resistance lang:fa", target) is None
    assert hit("search", 'resistance channel:"Al-Manar"', target) is not None
    assert hit("search", "resistance channel:Kan", target) is None
    assert hit("search", "resist*", target) is not None


@pytest.mark.parametrize("value", ["", "   ", "!!!"])
def test_a_term_without_letters_has_nothing_to_look_for(value):
    assert not compile_term("term", value).query.must
