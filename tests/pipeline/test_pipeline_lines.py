"""Transcript lines cut at sentence ends (from word timestamps and punctuation), with caps for
unpunctuated speech, and lines cut by a window edge joined again."""

import itertools
from types import SimpleNamespace

from clipdesk.pipeline.lines import LineRules, ends_sentence, join, split_points
from clipdesk.pipeline.transcribe import Segment, Word


def word(text, start, end):
    return SimpleNamespace(word=text, start=start, end=end, probability=0.9)


def timed(text: str, start: float = 0.0, step: float = 0.4):
    return [
        word(f" {w}", start + i * step, start + i * step + step - 0.05) for i, w in enumerate(text.split())
    ]


def pieces(words, points):
    bounds = [0, *points, len(words)]
    return ["".join(w.word for w in words[a:b]).strip() for a, b in itertools.pairwise(bounds)]


def test_abbreviations_do_not_end_a_sentence():
    assert ends_sentence("done.") and ends_sentence("why?") and ends_sentence("\u061f")
    assert not ends_sentence("Mrs.") and not ends_sentence("U.S.") and not ends_sentence("J.")
    words = timed("The floor is to Mrs. Anila Haweru. Thank you.")
    assert pieces(words, split_points(words)) == ["The floor is to Mrs. Anila Haweru.", "Thank you."]


def test_unpunctuated_speech_is_capped_and_never_splits_a_word():
    words = timed(" ".join(f"kalima{i}" for i in range(60)), step=0.5)  # 30 s, no punctuation
    lines = pieces(words, split_points(words))
    rules = LineRules()
    assert len(lines) >= 5
    assert all(len(line) <= rules.unpunctuated_chars for line in lines)
    assert " ".join(lines).split() == [w.word.strip() for w in words]


def test_a_long_sentence_is_cut_after_a_comma():
    text = " ".join(["word"] * 16) + " he said, " + " ".join(["more"] * 30) + " today."
    words = timed(text, step=0.3)
    lines = pieces(words, split_points(words, LineRules(max_ms=8_000)))
    assert lines[0].endswith("he said,") and lines[-1].endswith("today.")
    assert all(len(line.split()) * 0.3 <= 8.0 for line in lines)


def line(text, start_ms, end_ms, language="en", uncertain=None):
    words = [Word(start_ms, end_ms, w, 0.9) for w in text.split()]
    return Segment(start_ms, end_ms, text, words=words, language=language, uncertain=uncertain or [])


def test_a_sentence_cut_by_a_window_edge_is_joined():
    joined = list(join([line("The floor is to Mrs.", 0, 1500), line("Anila Haweru.", 1600, 2600)]))
    assert [s.text for s in joined] == ["The floor is to Mrs. Anila Haweru."]
    assert (joined[0].start_ms, joined[0].end_ms) == (0, 2600)


def test_lines_in_other_languages_or_far_apart_or_uncertain_stay_apart():
    assert len(list(join([line("So we shall", 0, 1000), line("يا رب", 1100, 2000, "ar")]))) == 2
    assert len(list(join([line("So we shall", 0, 1000), line("see", 5000, 5500)]))) == 2
    assert (
        len(list(join([line("So we shall", 0, 1000), line("see", 1100, 1500, uncertain=["repetition"])])))
        == 2
    )
