"""The light Arabic stemmer: the article, joined conjunctions and prepositions, common suffixes."""

import pytest

from clipdesk.search.analysis import stem
from clipdesk.search.arabic import stem as light_stem
from clipdesk.search.normalize import tokens


@pytest.mark.parametrize(
    "words",
    [
        ("حرارة", "الحرارة", "بالحرارة", "والحرارة", "للحرارة"),  # the article, with و ب ل
        ("مفاوضات", "المفاوضات", "والمفاوضات"),  # plural ات
        ("سلام", "السلام", "والسلام", "فالسلام"),
        ("كتاب", "الكتاب", "كتابها"),  # pronoun suffix
        ("لبنانيون", "اللبنانيين", "لبنانيه"),
    ],
)
def test_forms_of_a_word_share_a_stem(words):
    stems = {light_stem(tokens(w)[0]) for w in words}
    assert len(stems) == 1, stems


def test_short_words_keep_two_letters():
    assert light_stem("وه") == "وه"
    assert light_stem("ال") == "ال"
    assert light_stem("كتب") == "كتب"
    assert all(len(light_stem(t)) >= 2 for t in tokens("والها وان الات لله"))


def test_only_arabic_is_stemmed_in_python():
    assert stem("الحراره", "arabic") == "حرار"
    assert stem("الحراره", "plain") == "الحراره"  # Farsi and the other languages are kept whole
    assert stem("talks", "english") == "talk"
