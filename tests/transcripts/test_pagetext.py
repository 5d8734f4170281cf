"""The page parser, field by field on the sample page, and on the ways real pages vary."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipdesk.transcripts.pagetext import PageParseError, parse_page

PAGE = """May 3, 2022

Some Speaker: Things Were Said

#9001 | 01:05
Source: Example TV (Iran)

A summary of the clip. It aired on Example TV on May 3, 2022.

Anchor: "Welcome."

Mahmoud Ahmadi: "Thank you."
"""


def warnings_of(text: str) -> list[str]:
    return [w.message for w in parse_page(text).warnings]


def test_sample_page_header_fields(sample_page_text):
    page = parse_page(sample_page_text, "clip-8891.txt")
    assert page.number == 8891
    assert page.duration_ms == 153_000
    assert page.channel == "Al-Manar TV"
    assert page.country == "Lebanon"
    assert page.affiliation == "Hizbullah"
    assert page.aired_on == dt.date(2021, 5, 28)
    assert page.page_date == dt.date(2021, 5, 28)
    assert page.title == (
        "Hizbullah Mouthpiece Ibrahim Al-Amine: Hizbullah, IRGC Coordinated With Hamas During Latest Fighting; "
        "Qods Force Commander Qaani, Hamas Field Officers Came To The Beirut Joint Operations Room"
    )
    assert page.summary.startswith(
        "Lebanese journalist and Hizbullah Mouthpiece Ibrahim Al-Amine, editor-in-chief"
    )
    assert page.summary.endswith("For more about Ibrahim Al-Amine, see MEMRI TV clip no 8575.")
    assert "\n" not in page.summary  # the first paragraph only
    assert page.warnings == []


def test_sample_page_transcript(sample_page_text):
    page = parse_page(sample_page_text)
    assert len(page.lines) == 12
    assert page.turns == 9
    labels = [page.speakers[line.speaker].label for line in page.lines]
    assert labels.count("Ibrahim Al-Amine") == 8
    assert labels.count("Host") == 4
    assert len(page.speakers) == 2
    amine, host = page.speakers
    assert amine.spellings == ["Al-Amine"]
    assert amine.is_person and amine.role == ""
    assert host.role == "host" and not host.is_person
    # Continuation paragraphs (opening with a quotation mark) stay with the previous speaker.
    assert labels[:3] == ["Ibrahim Al-Amine", "Ibrahim Al-Amine", "Host"]


def test_sample_page_keeps_editorial_marks_exactly(sample_page_text):
    texts = [line.text for line in parse_page(sample_page_text).lines]
    assert texts[0].startswith("[During the recent fighting], there was higher coordination")
    assert "the Islamic Resistance [Hizbullah], and the field officers" in texts[1]
    assert (
        texts[7]
        == "Yes. [Hizbullah delivered those things into Gaza. The other thing was the possibility of an escalation."
    )
    assert texts[9] == "The Israelis could have gone mad, and opt for..."
    assert texts[11].startswith(
        "This is something Israel could do. The resistance in Lebanon had to... The axis"
    )
    assert not any(t.startswith('"') or t.endswith('"') for t in texts)


def test_sample_page_cross_reference_and_furniture(sample_page_text):
    page = parse_page(sample_page_text)
    assert [(r.number, r.publisher, r.person) for r in page.references] == [
        (8575, "MEMRI TV", "Ibrahim Al-Amine")
    ]
    everything = " ".join([page.title, page.summary, *(line.text for line in page.lines)])
    for furniture in (
        "Donate Today",
        "Subscribe Today",
        "Request Clip",
        "Share Video",
        "Share this Clip",
        "Donations from readers",
    ):
        assert furniture not in everything


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("see MEMRI TV clips No. 8180, 7919.", [(8180, "MEMRI TV"), (7919, "MEMRI TV")]),
        ("as seen in MEMRI TV clip #7644.", [(7644, "MEMRI TV")]),
        ("See also Clipdesk clip no. 8342.", [(8342, "Clipdesk")]),
        (
            "in Monitor Desk Archive clips no. 12 and 13",
            [(12, "Monitor Desk Archive"), (13, "Monitor Desk Archive")],
        ),
        ("in clip No. 5", [(5, "")]),
    ],
)
def test_cross_reference_spellings(sentence, expected):
    page = parse_page(PAGE.replace("A summary of the clip.", f"A summary of the clip, {sentence}"))
    assert [(r.number, r.publisher) for r in page.references] == expected


def test_clean_page_has_no_warnings():
    page = parse_page(PAGE)
    assert page.warnings == []
    assert [s.role for s in page.speakers] == ["anchor", ""]
    assert page.aired_on == dt.date(2022, 5, 3)
    assert page.affiliation is None


def test_missing_number_is_a_warning():
    page = parse_page(PAGE.replace("#9001 | 01:05", "# | 01:05"))
    assert page.number is None
    assert any("no clip number" in w.message for w in page.warnings)


def test_missing_header_line_is_a_warning():
    page = parse_page(PAGE.replace("#9001 | 01:05\n", ""))
    assert page.number is None and page.title == "Some Speaker: Things Were Said"
    assert any("NUMBER" in w for w in warnings_of(PAGE.replace("#9001 | 01:05\n", "")))


@pytest.mark.parametrize("duration", ["1:5", "01:65", "about a minute", "1:60:00"])
def test_malformed_duration_is_a_warning(duration):
    page = parse_page(PAGE.replace("01:05", duration))
    assert page.number == 9001 and page.duration_ms is None
    assert any("duration" in w.message for w in page.warnings)


def test_hour_long_duration():
    assert parse_page(PAGE.replace("01:05", "1:02:03")).duration_ms == 3_723_000


def test_speaker_spelled_two_ways_is_one_speaker_with_a_warning():
    text = PAGE + '\nMahmoud Ahmady: "Again."\n'
    page = parse_page(text)
    assert len(page.speakers) == 2
    assert page.lines[-1].speaker == page.lines[-2].speaker
    assert any("spelled another way" in w.message for w in page.warnings)


def test_surname_alone_is_the_same_speaker_without_warning():
    page = parse_page(PAGE + '\nAhmadi: "Again."\n')
    assert len(page.speakers) == 2 and page.warnings == []
    assert page.speakers[1].spellings == ["Ahmadi"]


def test_stage_direction_is_an_editorial_line():
    page = parse_page(PAGE + "\n[Crowd applauds]\n")
    assert page.lines[-1].speaker is None and page.lines[-1].text == "[Crowd applauds]"
    assert page.lines[-1].editorial and page.review == []


def test_repeated_lines_are_kept_with_a_warning():
    page = parse_page(PAGE + '\nCrowd: "Death to America!"\n\nCrowd: "Death to America!"\n')
    assert [line.text for line in page.lines[-2:]] == ["Death to America!", "Death to America!"]
    assert any("repeats line" in w.message for w in page.warnings)
    assert page.speakers[-1].label == "Crowd" and not page.speakers[-1].is_person


def test_plain_turn_without_quotes_is_a_warning():
    page = parse_page(PAGE + "\nMahmoud Ahmadi: No quotation marks here.\n")
    assert page.lines[-1].text == "No quotation marks here."
    assert any("not in quotation marks" in w.message for w in page.warnings)


def test_page_date_and_air_date_that_differ_is_a_warning():
    page = parse_page(PAGE.replace("May 3, 2022\n", "May 9, 2022\n", 1))
    assert page.page_date == dt.date(2022, 5, 9) and page.aired_on == dt.date(2022, 5, 3)
    assert any("dated 2022-05-09" in w.message for w in page.warnings)


def test_curly_quotes_and_crlf():
    text = PAGE.replace('"Welcome."', "“Welcome.”").replace("\n", "\r\n")
    assert parse_page(text).lines[0].text == "Welcome."


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "empty"),
        ("\n\nDonate Today\n\nShare this Clip:\n", 1, "empty"),
        ("Just a headline\n\nDonate Today\n", 1, "a headline and nothing else"),
        ('#1 | 00:10\nSource: X (Y)\nSummary\nA: "b"\n', 1, "no headline"),
        ("a\x00b", 1, "binary"),
    ],
)
def test_pages_that_cannot_be_understood(text, line, reason):
    with pytest.raises(PageParseError) as caught:
        parse_page(text, "bad.txt")
    assert caught.value.source == "bad.txt"
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"bad.txt:{line}: ")


def test_page_without_a_transcript_is_kept_for_review():
    page = parse_page("Title\n#1 | 00:10\nSource: X (Y)\n\nOnly a summary.\n")
    assert (page.title, page.summary, page.lines) == ("Title", "Only a summary.", [])
    assert [(w.line, w.review) for w in page.warnings if "no transcript" in w.message] == [(5, True)]


@given(st.text())
def test_any_text_parses_or_fails_with_a_page_error(text):
    try:
        page = parse_page(text)
    except PageParseError as exc:
        assert exc.line >= 1
    else:
        assert page.title and (page.lines or page.summary or page.number or page.channel)


_page_like = st.lists(
    st.one_of(
        st.sampled_from(
            ["#12 | 01:02", "#x | 1:2", "Source: A TV (B)", "May 1, 2020", 'Host: "hi"', '"more"', "", "[x"]
        ),
        st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z-]{1,8})?: \"?[^\n]{0,30}", fullmatch=True),
        st.text(max_size=40).map(lambda s: s.replace("\n", " ")),
    ),
    max_size=25,
).map("\n".join)


@given(_page_like)
def test_page_like_text_parses_or_fails_with_a_page_error(text):
    try:
        page = parse_page(text)
    except PageParseError:
        return
    assert all(line.speaker is None or 0 <= line.speaker < len(page.speakers) for line in page.lines)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Syrian analyst Firas Haddad", ("person", "Firas Haddad", "Syrian analyst", "")),
        ("Iranian President Hassan Rouhani", ("person", "Hassan Rouhani", "Iranian President", "")),
        ("Firas Haddad, Syrian analyst", ("person", "Firas Haddad", "Syrian analyst", "")),
        ("TV host", ("role", "TV host", "", "host")),
        ("Demonstrators in Basra", ("group", "Demonstrators in Basra", "", "")),
        ("Note", ("editorial", "Note", "", "")),
        ("b>Dr. Samir ?Aziz", ("person", "Dr. Samir Aziz", "", "")),
    ],
)
def test_speaker_labels(label, expected):
    from clipdesk.transcripts.speakerlabels import read_label

    found = read_label(label)
    assert (found.kind, found.name, found.description, found.role) == expected


@pytest.mark.parametrize("label", ["He said", "Then the host asked him", "At 10", "http", "In the interview"])
def test_narration_before_a_colon_is_not_a_speaker(label):
    from clipdesk.transcripts.speakerlabels import read_label

    assert read_label(label) is None


def test_note_is_an_editorial_line_not_a_person():
    page = parse_page(PAGE + "\nNote: The clip was edited for length.\n")
    assert page.lines[-1].editorial and page.lines[-1].speaker is None
    assert [s.label for s in page.speakers] == ["Anchor", "Mahmoud Ahmadi"]
