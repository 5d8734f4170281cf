"""Highlighting: the query's words marked in the text as written, and everything else escaped."""

import pytest

from clipdesk.search.analysis import build_query
from clipdesk.search.highlight import Highlighter
from clipdesk.search.querylang import parse


def mark(query: str, text: str) -> str:
    built, _ = build_query(parse(query))
    html, _ = Highlighter(built).html(text)
    return html


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("talk", "Talks are talking.", "<mark>Talks</mark> are <mark>talking</mark>."),
        ("negotiat*", "They negotiated.", "They <mark>negotiated</mark>."),
        (
            '"peace talks"',
            "The peace talks, peace and talks.",
            "The <mark>peace talks</mark>, peace and talks.",
        ),
        ('"al amine" OR host', "Al-Amine and the host.", "<mark>Al-Amine</mark> and the <mark>host</mark>."),
        ('"peace tal*"', "peace talking", "<mark>peace talking</mark>"),
        ("كتب", "قال كَتَبَ الرسالة", "قال <mark>كَتَبَ</mark> الرسالة"),
        ("احمد", "وقال أحمد", "وقال <mark>أحمد</mark>"),
        ("war -peace", "war and peace", "<mark>war</mark> and peace"),
        ("beyrouth", "À Béyrouth.", "À <mark>Béyrouth</mark>."),
    ],
)
def test_marks(query, text, marked):
    assert mark(query, text) == marked


def test_text_is_escaped_around_and_inside_marks():
    assert mark("script", '<script>alert("x")</script> & co') == (
        '&lt;<mark>script</mark>&gt;alert("x")&lt;/<mark>script</mark>&gt; &amp; co'
    )


def test_words_in_a_row_share_one_mark():
    assert mark("peace talks", "peace talks resumed") == "<mark>peace talks</mark> resumed"


def test_nothing_to_mark():
    built, _ = build_query(parse("drones"))
    assert Highlighter(built).html("Peace & talks") == ("Peace &amp; talks", False)
    empty, _ = build_query(parse("speaker:Host"))
    assert not Highlighter(empty)
    assert Highlighter(empty).html("a < b") == ("a &lt; b", False)
