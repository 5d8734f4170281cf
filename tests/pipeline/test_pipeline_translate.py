"""The Translator contract and the translators that need no Whisper model."""

import pytest

from clipdesk.pipeline.models import ModelError
from clipdesk.pipeline.transcribe import Segment
from clipdesk.pipeline.translate import (
    CTranslate2Translator,
    NoTranslator,
    TranslationError,
    Translator,
    translate,
)


def segments(*texts: str) -> list[Segment]:
    return [Segment(i * 1000, i * 1000 + 900, text, language="es") for i, text in enumerate(texts)]


class Dropping:
    """Merges everything into one sentence: the failure the contract exists to catch."""

    def translate(self, segments, source_language):
        return [" ".join(s.text for s in segments)]


def test_no_translator_leaves_one_empty_text_per_segment():
    assert translate(NoTranslator(), segments("hola", "mundo", "gracias"), "es") == ["", "", ""]
    assert translate(NoTranslator(), [], "es") == []
    assert isinstance(NoTranslator(), Translator)


def test_count_contract_is_enforced():
    with pytest.raises(TranslationError, match="returned 1 translations for 2 segments"):
        translate(Dropping(), segments("hola", "mundo"), "es")


def test_non_string_translation_is_rejected():
    class Numbers:
        def translate(self, segments, source_language):
            return list(range(len(segments)))

    with pytest.raises(TranslationError, match="not a string"):
        translate(Numbers(), segments("hola"), "es")


def test_ctranslate2_translator_loads_and_returns_one_text_per_segment(tiny_translation_model):
    translator = CTranslate2Translator(tiny_translation_model, device="cpu", max_decoding_length=6)
    assert isinstance(translator, Translator)
    batch = segments("hola mundo", "", "buenos dias", "gracias palabra-desconocida")
    texts = translate(translator, batch, "es")
    assert len(texts) == 4
    assert texts[1] == ""  # nothing to translate
    vocabulary = {"hola", "mundo", "buenos", "dias", "gracias", "hello", "world", "good", "morning", "thanks"}
    for text in (texts[0], texts[2], texts[3]):
        # Random weights: the words are arbitrary, but they come from the model's vocabulary,
        # detokenised through tokenizer.json, without special tokens.
        assert text and set(text.split()) <= vocabulary


def test_ctranslate2_prefixes(tiny_translation_model):
    translator = CTranslate2Translator(
        tiny_translation_model,
        device="cpu",
        max_decoding_length=4,
        source_prefix={"es": ["<s>"]},
        target_prefix=["hello"],
    )
    texts = translator.translate(segments("hola", "mundo"), "es")
    assert len(texts) == 2
    # What the pipeline returns is the raw hypothesis minus the target prefix and special tokens.
    raw = translator._translator.translate_batch(
        [["<s>", "hola"]], target_prefix=[["hello"]], max_decoding_length=4, beam_size=4
    )[0].hypotheses[0]
    assert raw[0] == "hello"
    assert texts[0] == " ".join(t for t in raw[1:] if not t.startswith("<"))


def test_ctranslate2_directory_must_hold_model_and_tokenizer(tmp_path, tiny_translation_model):
    with pytest.raises(ModelError, match=r"missing model\.bin, config\.json, tokenizer\.json"):
        CTranslate2Translator(tmp_path)
    (tmp_path / "model.bin").write_bytes(b"not a model")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "tokenizer.json").write_bytes((tiny_translation_model / "tokenizer.json").read_bytes())
    with pytest.raises(ModelError, match="cannot be loaded"):
        CTranslate2Translator(tmp_path, device="cpu")
