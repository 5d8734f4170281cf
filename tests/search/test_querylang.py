"""The query language: what the parser reads, what it forgives, and that it never fails."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipdesk.search.analysis import build_query
from clipdesk.search.interfaces import Term
from clipdesk.search.querylang import Atom, parse


def test_words_must_all_match():
    parsed = parse("peace talks")
    assert parsed.groups == [[Atom("word", "peace")], [Atom("word", "talks")]]
    assert not parsed.notes


def test_phrases_exclusions_prefixes():
    parsed = parse('"peace talks" -Iran -"Islamic Republic" negotiat*')
    assert parsed.groups == [[Atom("phrase", "peace talks")], [Atom("prefix", "negotiat")]]
    assert parsed.excluded == [Atom("word", "Iran"), Atom("phrase", "Islamic Republic")]


def test_a_phrase_may_end_in_a_prefix():
    query, _ = build_query(parse('"peace negotiat*"'))
    assert query.must == ((Term("prefix", ("peace", "negotiat")),),)


def test_or_joins_its_neighbours():
    parsed = parse("Hezbollah OR Hizbullah OR Hizballah Beirut")
    assert parsed.groups == [
        [Atom("word", "Hezbollah"), Atom("word", "Hizbullah"), Atom("word", "Hizballah")],
        [Atom("word", "Beirut")],
    ]


def test_lowercase_or_is_a_word():
    assert parse("war or peace").groups == [
        [Atom("word", "war")],
        [Atom("word", "or")],
        [Atom("word", "peace")],
    ]


def test_not_and_and_are_understood():
    parsed = parse("talks AND Beirut NOT Iran")
    assert parsed.groups == [[Atom("word", "talks")], [Atom("word", "Beirut")]]
    assert parsed.excluded == [Atom("word", "Iran")]


def test_filters():
    parsed = parse('speaker:Nasrallah channel:"Al-Manar TV" lang:Arabic lang:fa-IR war')
    assert parsed.speaker == ["Nasrallah"]
    assert parsed.channel == ["Al-Manar TV"]
    assert parsed.lang == ["ar", "fa"]
    assert parsed.groups == [[Atom("word", "war")]]
    assert parse("SPEAKER:Host").speaker == ["Host"]


def test_a_colon_that_is_not_a_filter_is_part_of_the_words():
    query, _ = build_query(parse("10:30 news"))
    assert query.must == ((Term("phrase", ("10", "30")),), (Term("word", ("news",)),))


def test_a_word_that_breaks_into_several_is_a_phrase():
    query, _ = build_query(parse("Al-Amine"))
    assert query.must == ((Term("phrase", ("al", "amine")),),)


@pytest.mark.parametrize(
    ("typed", "note", "groups"),
    [
        ('"peace talks', "quotation mark is not closed", [["peace"], ["talks"]]),
        ("OR peace", "OR needs a word on each side", [["peace"]]),
        ("peace OR", "OR needs a word on each side", [["peace"]]),
        ("peace OR OR war", "OR needs a word on each side", [["peace", "war"]]),
        ("(peace talks)", "Brackets are not part", [["peace"], ["talks"]]),
        ("pe*ce", "A star works only at the end", [["pe ce"]]),
        ("* peace", "A star on its own", [["peace"]]),
        ('"" peace', "empty pair of quotation marks", [["peace"]]),
        ("speaker: peace", "needs a value", [["peace"]]),
        ("lang:!! peace", "is not a language code", [["peace"]]),
        ("-speaker:Host peace", "filters cannot be excluded", [["peace"]]),
        ("peace NOT", "NOT needs a word after it", [["peace"]]),
    ],
)
def test_what_cannot_be_read_is_searched_as_words_with_a_note(typed, note, groups):
    parsed = parse(typed)
    assert any(note in n for n in parsed.notes), parsed.notes
    assert [[a.text for a in g] for g in parsed.groups] == groups


def test_a_prefix_too_short_is_searched_as_a_word():
    query, notes = build_query(parse("a*"))
    assert query.must == ((Term("word", ("a",)),),)
    assert any("too short" in n for n in notes)


def test_symbols_alone_are_dropped_with_a_note():
    query, notes = build_query(parse("!!! peace"))
    assert query.must == ((Term("word", ("peace",)),),)
    assert any("no letters or digits" in n for n in notes)


def test_only_exclusions_means_everything_else():
    query, notes = build_query(parse("-Iran"))
    assert query.must == () and query.must_not == (Term("word", ("iran",)),)
    assert any("Only excluded words" in n for n in notes)


def test_aliases_become_alternatives_in_the_same_group():
    query, _ = build_query(parse("Hezbollah Beirut"), {"hezbollah": ["Hizbullah", "Party of God"]})
    assert query.must[0] == (
        Term("word", ("hezbollah",)),
        Term("phrase", ("hizbullah",)),
        Term("phrase", ("party", "of", "god")),
    )


def test_very_long_queries_are_cut_with_a_note():
    parsed = parse("word " * 400)
    assert len(parsed.groups) == 32
    assert any("first 32 words" in n for n in parsed.notes)


@given(st.text(max_size=200))
def test_any_text_parses(text):
    parsed = parse(text)
    query, notes = build_query(parsed)
    assert all(isinstance(n, str) for n in parsed.notes + notes)
    assert all(t.tokens for group in query.must for t in group)


@given(
    st.lists(
        st.sampled_from(['"', "-", "OR", "*", ":", "(", ")", "speaker:", "lang:", "x", "كتب", " "]),
        max_size=30,
    )
)
def test_any_arrangement_of_operators_parses(pieces):
    text = "".join(pieces)
    query, _ = build_query(parse(text))
    assert all(t.tokens for group in query.must for t in group)
