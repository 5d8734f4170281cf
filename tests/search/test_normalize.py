# ruff: noqa: RUF001 - Arabic and Persian letters are what these tests are about
"""Arabic and Farsi normalization, on its own and both ways through the engine."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipdesk.search.normalize import fold, index_text, normalize, normalize_with_offsets, offsets, tokens
from clipdesk.search.services import search


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("أحمد", "احمد"),  # hamza above
        ("إسلام", "اسلام"),  # hamza below
        ("آمن", "امن"),  # madda
        ("ٱلله", "الله"),  # wasla
        ("كَتَبَ", "كتب"),  # harakat
        ("مُحَمَّدٌ", "محمد"),  # shadda, tanwin
        ("الـــعـــرب", "العرب"),  # tatweel
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("مدرسة", "مدرسه"),  # ta marbuta
        ("مسؤول", "مسوول"),  # waw with hamza
        ("رئيس", "رييس"),  # yeh with hamza
        ("ایران", "ايران"),  # Persian yeh
        ("کتاب", "كتاب"),  # Persian keheh
        ("٢٠٢١", "2021"),  # Arabic-Indic digits
        ("۱۴۰۰", "1400"),  # Persian digits
        ("Béyrouth", "Beyrouth"),  # Latin accents
        ("Hizbullah", "Hizbullah"),  # English untouched
    ],
)
def test_folds(written, folded):
    assert normalize(written) == folded


def test_zero_width_non_joiner_separates_words_as_a_space_would():
    assert tokens("می\u200cخواهم") == tokens("می خواهم") == ["مي", "خواهم"]


def test_presentation_forms_are_folded_too():
    assert normalize("\ufef7") == "لا"  # the lam-alef ligature with hamza: NFKC, then the alef fold


def test_tokens_split_lowercase_and_drop_punctuation():
    assert tokens("Al-Amine: «كَتَبَ» (2021)!") == ["al", "amine", "كتب", "2021"]
    assert index_text("Hizbullah, IRGC") == "hizbullah irgc"


def test_offsets_lead_back_to_the_text_as_written():
    text = "قال أَحْمَد"
    normalized, origin = normalize_with_offsets(text)
    assert normalized == "قال احمد"
    assert len(origin) == len(normalized)
    start = normalized.index("احمد")
    assert text[origin[start] : origin[start + 3] + 1] == "أَحْمَد"


arabic = st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=30)
any_text = st.text(max_size=60)


@given(arabic | any_text)
def test_normalizing_twice_changes_nothing(text):
    assert normalize(normalize(text)) == normalize(text)


@given(any_text)
def test_offsets_always_point_into_the_text(text):
    normalized, origin = normalize_with_offsets(text)
    assert len(origin) == len(normalized)
    assert all(0 <= i < len(text) for i in origin)
    assert origin == sorted(origin)


# Both ways through the engine: vowelled or hamza-written text is found by the plain spelling, and
# the plain text by the vowelled or hamza-written query.


@pytest.mark.parametrize(
    ("indexed", "query"),
    [
        ("قال أحمد إن الحرب انتهت", "احمد"),
        ("قال احمد إن الحرب انتهت", "أحمد"),
        ("كَتَبَ الرسالة", "كتب"),
        ("كتب الرسالة", "كَتَبَ"),
        ("رئيس الجمهورية", "ریيس"),
        ("ایران و عراق", "ايران"),
        ("الـــعـــرب", "العرب"),
    ],
)
def test_arabic_and_farsi_are_found_both_ways(make_clip, indexed, query):
    clip = make_clip("A clip", [("Speaker", "An English line.", indexed)])
    other = make_clip("Another clip", [("Speaker", "Nothing in common.", "لا شيء")])
    found = [r.clip.pk for r in search(query).clips]
    assert found == [clip.pk]
    assert other.pk not in found
    [line] = search(query).clips[0].lines
    assert "<mark>" in line.original_html


@given(arabic | any_text)
def test_fold_and_offsets_are_normalize_with_offsets_in_two_steps(text):
    folded = fold(text)
    origin = offsets(text, folded)
    assert (folded, list(range(len(text))) if origin is None else origin) == normalize_with_offsets(text)
    if text.isascii():
        assert origin is None  # plain text needs no map
