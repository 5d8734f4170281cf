"""Which language each stretch of speech is in.

Broadcasts switch languages (an Arabic interview with English quotes), so one language per
recording loses the second one: Whisper told to write English writes an English paraphrase of
German. The pipeline reads each decoding window's language from the window's encoder output; where
the model is not sure of it (a window may hold two languages), it identifies the language of each
voice-activity chunk on its own (:func:`identify`), short chunks taking their neighbours' language
(:func:`smooth`), and decodes each window of consecutive chunks in one language with that language.

A channel's usual languages narrow the choice (:func:`choose`): a Persian channel's speech is not
labelled Hebrew. The probability kept is the model's own for the chosen language, not renormalised,
so that a narrowed choice the model did not believe in still looks doubtful.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

__all__ = ["bcp47", "choose", "identify", "smooth"]


def _code(token: str) -> str:
    return token.removeprefix("<|").removesuffix("|>")


def bcp47(whisper_code: str) -> str:
    """The BCP 47 tag of a Whisper language code (Whisper spells Javanese "jw")."""
    return {"jw": "jv"}.get(whisper_code, whisper_code)


def choose(probabilities: Sequence[tuple[str, float]], allowed: Sequence[str] = ()) -> tuple[str, float]:
    """The most probable language, among ``allowed`` when given, and its probability.

    ``probabilities`` are (token or code, probability) pairs as CTranslate2's ``detect_language``
    gives them (``"<|en|>"``), best first."""
    ranked = [(_code(token), float(p)) for token, p in probabilities]
    if allowed:
        narrowed = [pair for pair in ranked if pair[0] in allowed]
        if narrowed:
            return max(narrowed, key=lambda pair: pair[1])
        return allowed[0], 0.0
    return max(ranked, key=lambda pair: pair[1])


def identify(
    model: WhisperModel, chunks: Sequence[np.ndarray], allowed: Sequence[str] = ()
) -> list[tuple[str, float, dict[str, float]]]:
    """(language, probability, {language: probability}) of each chunk of 16 kHz audio.

    Each chunk is encoded at its own length, not padded to Whisper's 30-second window: CTranslate2
    accepts that, the cost falls with the length (measured: a 3-second chunk 0.035 s against 0.4 s
    padded, 2 cores) and the identification agrees with the padded one on the samples (English and
    Arabic chunks of 1.5 to 3.6 s: same language, probabilities within a few hundredths)."""
    results: list[tuple[str, float, dict[str, float]]] = []
    for chunk in chunks:
        features = model.feature_extractor(chunk)[..., :-1][..., : model.feature_extractor.nb_max_frames]
        ranked = model.model.detect_language(model.encode(features[None]))[0]
        language, probability = choose(ranked, allowed)
        results.append((language, probability, {_code(t): float(p) for t, p in ranked}))
    return results


def smooth(
    spans_ms: Sequence[tuple[int, int]],
    labels: Sequence[tuple[str, float, dict[str, float]]],
    *,
    min_ms: int = 1500,
    confident: float = 0.9,
) -> list[tuple[str, float]]:
    """Each chunk's (language, probability), short chunks taking their neighbours' language.

    A chunk shorter than ``min_ms`` is too short to be trusted alone ("OK", a name, a breath):
    when its neighbours agree on another language, it takes theirs; when they disagree, it takes
    the longer neighbour's if its own identification is below ``confident``. Its probability is
    then the one the model gave that language for it."""
    chosen = [(language, probability) for language, probability, _ in labels]
    for index, ((start, end), (language, probability, distribution)) in enumerate(
        zip(spans_ms, labels, strict=True)
    ):
        if end - start >= min_ms:
            continue
        neighbours = [i for i in (index - 1, index + 1) if 0 <= i < len(spans_ms)]
        if not neighbours:
            continue
        theirs = {labels[i][0] for i in neighbours}
        if len(theirs) == 1:
            other = theirs.pop()
        elif probability < confident:
            other = labels[max(neighbours, key=lambda i: spans_ms[i][1] - spans_ms[i][0])][0]
        else:
            continue
        if other != language:
            chosen[index] = (other, distribution.get(other, 0.0))
    return chosen
