"""The checks that accept or reject a decoding, on crafted decoder output (no model needed):
the looping and invented lines that reached translators' drafts, and the language choice."""

import pytest

from clipdesk.pipeline import languages
from clipdesk.pipeline.safeguards import Thresholds, compression_ratio, judge, repetition

LOOPING = (
    "O Lord of all the worlds, O Lord of all the worlds, O Lord of all the worlds, O Lord of all the worlds."
)
UNDERSTAND = "We want you " + "to understand " * 12


def test_looping_phrases_are_found():
    assert repetition(LOOPING) == "o lord of all the worlds"
    assert repetition(UNDERSTAND) == "to understand"
    assert repetition("the the the the") == "the"


@pytest.mark.parametrize(
    "text",
    [
        "And so my fellow Americans, ask not what your country can do for you.",
        "No, no, no, that is not what I said.",  # three of one word is speech
        "Thank you, thank you.",
        "",
    ],
)
def test_ordinary_speech_is_not_a_repetition(text):
    assert repetition(text) is None


def test_judge_uses_faster_whispers_rules():
    fine = judge("Good evening, here is the news.", avg_logprob=-0.3, no_speech_prob=0.01)
    assert fine == []
    assert "repetition" in judge(LOOPING, avg_logprob=-0.2, no_speech_prob=0.0)
    assert "compression" in judge(UNDERSTAND * 3, avg_logprob=-0.2, no_speech_prob=0.0)
    assert compression_ratio(UNDERSTAND * 3) > 2.4
    # An unsure decoder: a low log-probability fails; with a high no-speech probability, it is
    # read as text invented over silence.
    assert judge("I do not believe in God.", avg_logprob=-1.4, no_speech_prob=0.1) == ["low-logprob"]
    assert judge("Thank you for watching.", avg_logprob=-1.2, no_speech_prob=0.8) == ["no-speech"]
    # A high no-speech probability alone is not a failure (faster-whisper keeps such text too).
    assert judge("Yes.", avg_logprob=-0.2, no_speech_prob=0.9) == []


def test_thresholds_can_be_turned_off():
    off = Thresholds(compression_ratio=None, log_prob=None, no_speech=None)
    assert judge(UNDERSTAND * 3, avg_logprob=-3.0, no_speech_prob=0.9, thresholds=off) == ["repetition"]


def test_a_channels_languages_narrow_the_choice():
    # Persian heard as Hebrew: the model's ranking, best first.
    ranked = [("<|he|>", 0.87), ("<|fa|>", 0.08), ("<|ar|>", 0.03)]
    assert languages.choose(ranked) == ("he", 0.87)
    assert languages.choose(ranked, ("fa", "ar")) == ("fa", 0.08)  # its own, low, probability
    assert languages.choose(ranked, ("ur",)) == ("ur", 0.0)


def test_short_chunks_take_their_neighbours_language():
    spans = [(0, 2600), (2900, 3900), (4000, 7000), (8000, 11000), (11500, 12300)]
    labels = [
        ("en", 0.96, {"en": 0.96}),
        ("ar", 0.93, {"ar": 0.93, "en": 0.05}),  # one second between English: English
        ("en", 0.92, {"en": 0.92}),
        ("ar", 0.98, {"ar": 0.98}),  # long enough to stand alone
        ("fr", 0.5, {"fr": 0.5, "ar": 0.3}),  # short, last: its only neighbour is Arabic
    ]
    chosen = languages.smooth(spans, labels)
    assert [language for language, _ in chosen] == ["en", "en", "en", "ar", "ar"]
    assert chosen[1] == ("en", 0.05) and chosen[4] == ("ar", 0.3)
